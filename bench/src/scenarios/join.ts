/**
 * join: 1,000 logins, twice. Latency: new Node SDK engines log in one after another (`--concurrency` at once)
 * and each loginRoom → LOGINED (socket connect, hello, token check, reply) is timed; p50/p99. Saturation:
 * `--saturation` raw signaling clients log in at once, the next as soon as one is done, until `--logins`
 * logins: logins per second over the wall time, their latency under that load, and the server CPU per login.
 * Users stay logged in (one room per phase, no user updates), so the room fills as the logins go.
 */
import { silentLogger, ZegoExpressEngine } from '@parley/node';
import { renderChart } from '../lib/chart.js';
import { type OtherLoad, watchCpus } from '../lib/procStat.js';
import { defineScenario } from '../lib/scenario.js';
import { APP, type ServerProcess, startServerProcess, tokenFor } from '../lib/serverProcess.js';
import { connect, loginRequest, type SignalClient } from '../lib/signal.js';
import { percentileCurve, round, type Summary, summarize } from '../lib/stats.js';

/** One phase's row. */
interface LoginPhase {
  client: string;
  logins: number;
  concurrency: number;
  wallSeconds: number | null;
  loginsPerSecond?: number | null;
  latencyMs: ReturnType<typeof ms>;
  serverCpuPercent: number;
  serverCpuMsPerLogin: number | null;
  benchCpuPercent: number;
  otherLoadPercent: OtherLoad;
}

/** Runs `job(i)` for i < count with `concurrency` in flight; returns the wall time in ms. */
async function pool(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
  onDone: (done: number) => void,
): Promise<number> {
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      await job(next++);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return performance.now() - t0;
}

const ms = (s: Summary): Record<'p50' | 'p99' | 'max' | 'mean', number | null> => ({
  p50: round(s.p50, 2),
  p99: round(s.p99, 2),
  max: round(s.max, 2),
  mean: round(s.mean, 2),
});

/** Starts measuring a phase's CPU; `end(logins)` gives server and bench CPU, per login, and the others' load. */
function cpuWatch(server: ServerProcess): (logins: number) => {
  serverCpuPercent: number;
  serverCpuMsPerLogin: number | null;
  benchCpuPercent: number;
  otherLoadPercent: OtherLoad;
} {
  const stop = watchCpus(server);
  return (logins) => {
    const c = stop();
    return {
      serverCpuPercent: c.serverCpuPercent,
      serverCpuMsPerLogin: round(c.serverCpuMs / logins, 3),
      benchCpuPercent: c.benchCpuPercent,
      otherLoadPercent: c.otherLoadPercent,
    };
  };
}

export default defineScenario({
  name: 'join',
  title: 'join: loginRoom → LOGINED latency, and logins per second at saturation',
  summary: '1,000 logins: loginRoom → LOGINED latency p50/p99, then logins/s at saturation',
  measures:
    'Latency phase: Node SDK engines, loginRoom → LOGINED (connect, hello, login) one after another. ' +
    'Saturation phase: raw signaling clients with many logins in flight; logins/s, latency, server CPU per login.',
  options: {
    logins: { type: 'int', default: 1000, help: 'logins in each phase' },
    concurrency: { type: 'int', default: 1, help: 'logins in flight in the latency phase' },
    saturation: { type: 'int', default: 200, help: 'logins in flight in the saturation phase' },
  } as const,
  async run(opts, { progress }) {
    const server = await startServerProcess({ cpu: 0 });
    const n = opts.logins;
    try {
      // Tokens are made beforehand: their cost is the client's, not the login's.
      const tokens = Array.from({ length: n }, (_, i) => tokenFor(`u${i}`));

      progress.phase(`latency: Node SDK loginRoom → LOGINED, ${opts.concurrency} at a time`, n);
      const engines: ZegoExpressEngine[] = [];
      const sdkLatencies: number[] = [];
      let cpu = cpuWatch(server);
      const sdkWall = await pool(
        n,
        opts.concurrency,
        async (i) => {
          const zg = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
          engines.push(zg);
          const t0 = performance.now();
          await zg.loginRoom('join-latency', tokens[i], { userID: `u${i}`, userName: `u${i}` });
          sdkLatencies.push(performance.now() - t0);
        },
        (d) => progress.update(d),
      );
      const latency: LoginPhase = {
        client: 'Node SDK (ZegoExpressEngine)',
        logins: n,
        concurrency: opts.concurrency,
        wallSeconds: round(sdkWall / 1000, 2),
        latencyMs: ms(summarize(sdkLatencies)),
        ...cpu(n),
      };
      progress.log(
        `latency: p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms over ${n} logins`,
      );
      for (const zg of engines) zg.destroyEngine();
      await new Promise<void>((resolve) => setTimeout(resolve, 1000));

      progress.phase(`saturation: ${opts.saturation} logins in flight`, n);
      const clients: SignalClient[] = [];
      const satLatencies: number[] = [];
      const satTokens = Array.from({ length: n }, (_, i) => tokenFor(`s${i}`));
      cpu = cpuWatch(server);
      const satWall = await pool(
        n,
        opts.saturation,
        async (i) => {
          const t0 = performance.now();
          const c = await connect(server.url);
          clients.push(c);
          await c.request('login', loginRequest('join-saturation', `s${i}`, { token: satTokens[i] }));
          satLatencies.push(performance.now() - t0);
        },
        (d) => progress.update(d),
      );
      const saturation: LoginPhase & { loginsPerSecond: number | null } = {
        client: 'raw signaling client (bench/src/lib/signal.ts)',
        logins: n,
        concurrency: opts.saturation,
        wallSeconds: round(satWall / 1000, 2),
        loginsPerSecond: round(n / (satWall / 1000), 0),
        latencyMs: ms(summarize(satLatencies)),
        ...cpu(n),
      };
      progress.log(
        `saturation: ${saturation.loginsPerSecond} logins/s, server CPU ${saturation.serverCpuPercent} %`,
      );
      for (const c of clients) c.close();

      const notes: string[] = [];
      if (saturation.serverCpuPercent < 85) {
        const o = saturation.otherLoadPercent;
        notes.push(
          `the server used ${saturation.serverCpuPercent} % of CPU 0 in the saturation phase (bench ` +
            `${saturation.benchCpuPercent} % of CPU 1; other processes ${o.cpu0 ?? '?'} % of CPU 0 and ` +
            `${o.cpu1 ?? '?'} % of CPU 1): the server was not the only limit, so read logins/s as a lower bound`,
        );
      }
      const chart = renderChart({
        title: 'join: login latency by percentile',
        subtitle: `${n} logins per phase`,
        panels: [
          {
            title: 'loginRoom → LOGINED',
            xLabel: 'percentile',
            yLabel: 'ms',
            x: Array.from({ length: 100 }, (_, i) => i + 1),
            series: [
              { name: `SDK, ${opts.concurrency} in flight`, values: percentileCurve(sdkLatencies) },
              { name: `raw, ${opts.saturation} in flight`, values: percentileCurve(satLatencies) },
            ],
          },
        ],
      });
      return { rows: [latency, saturation], summary: { latency, saturation }, notes, chart };
    } finally {
      await server.stop();
    }
  },
  headline(result) {
    const { latency, saturation } = result.summary;
    return {
      result:
        `LOGINED p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms; ` +
        `${saturation.loginsPerSecond} logins/s at ${saturation.concurrency} in flight`,
      baseline: null,
      ratio: null,
    };
  },
  markdown(result) {
    const lines = [
      '| phase | client | logins | in flight | wall | logins/s | latency p50 / p99 / max | server CPU | server CPU per login | bench CPU | other load CPU 0 / 1 |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    const phases: [string, LoginPhase][] = [
      ['latency', result.summary.latency],
      ['saturation', result.summary.saturation],
    ];
    for (const [name, r] of phases) {
      lines.push(
        `| ${name} | ${r.client} | ${r.logins} | ${r.concurrency} | ${r.wallSeconds} s | ${r.loginsPerSecond ?? round(r.logins / (r.wallSeconds ?? Number.NaN), 0)} | ` +
          `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms | ${r.serverCpuPercent} % | ${r.serverCpuMsPerLogin} ms | ${r.benchCpuPercent} % | ` +
          `${r.otherLoadPercent.cpu0 ?? '—'} / ${r.otherLoadPercent.cpu1 ?? '—'} % |`,
      );
    }
    return lines.join('\n');
  },
});
