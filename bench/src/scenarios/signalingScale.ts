/**
 * signaling-scale: (1) `--sessions` idle sessions (default 10,000) logged in to `--rooms` rooms (default 100)
 * over raw signaling clients that only heartbeat: the server's RSS per session = (RSS after − RSS before) ÷
 * sessions, both read from /proc after a full GC in the server (also the V8 heap per session, and the server's
 * idle CPU with them all connected); (2) a room of `--room-size` members (default 1,000) with user updates on:
 * one more user logs in, and for every member the time from that login request to the member's receipt of the
 * roomUserUpdate ADD; p50/p99 over `--joins` such joins. Sender and receivers share the bench's clock.
 */
import { renderChart } from '../lib/chart.js';
import { watchCpus } from '../lib/procStat.js';
import { defineScenario } from '../lib/scenario.js';
import { type ServerProcess, startServerProcess } from '../lib/serverProcess.js';
import { connect, loginRequest, type ServerEvent, type SignalClient } from '../lib/signal.js';
import { percentileCurve, round, summarize } from '../lib/stats.js';

const MiB = 2 ** 20;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The join being timed: every member's ADD for `userID` is a sample. */
interface Joining {
  userID: string;
  t0: number;
  latencies: number[];
  expected: number;
  resolve: () => void;
}

/** Runs `job(i)` for from ≤ i < to with `concurrency` in flight. */
async function pool(
  from: number,
  to: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, to - from)) }, worker));
}

/** Server memory after a full GC: RSS from /proc, V8 heap from the server. */
async function memory(server: ServerProcess): Promise<{ rss: number; heapUsed: number }> {
  await server.gc();
  await sleep(200);
  const { heapUsed } = await server.stats();
  return { rss: server.rssBytes(), heapUsed };
}

export default defineScenario({
  name: 'signaling-scale',
  title: 'signaling-scale: memory per idle session, and user-update fan-out in a large room',
  summary:
    'S idle sessions in R rooms: server RSS per session; a 1,000-user room: roomUserUpdate fan-out p50/p99',
  measures:
    'Raw signaling clients (login + heartbeats only). Memory: server RSS and V8 heap after a full GC, before ' +
    'and after the sessions. Fan-out: one more user joins a room of M members; time until each member got ADD.',
  options: {
    sessions: { type: 'int', default: 10000, help: 'idle sessions' },
    rooms: { type: 'int', default: 100, help: 'rooms the idle sessions are spread over' },
    'room-size': { type: 'int', default: 1000, help: 'members of the fan-out room' },
    joins: { type: 'int', default: 5, help: 'users joining the fan-out room, one at a time (each is timed)' },
    concurrency: { type: 'int', default: 100, help: 'logins in flight while filling' },
  } as const,
  async run(opts, { progress }) {
    const S = opts.sessions;
    const M = opts['room-size'];
    const server = await startServerProcess({ cpu: 0 });
    const clients: SignalClient[] = [];
    try {
      // (1) Idle sessions, in ten batches with a memory reading after each.
      const before = await memory(server);
      const curve: { sessions: number; rssMiB: number | null; heapMiB: number | null }[] = [
        { sessions: 0, rssMiB: round(before.rss / MiB, 1), heapMiB: round(before.heapUsed / MiB, 1) },
      ];
      progress.phase(`idle sessions: ${S} in ${opts.rooms} rooms`, S);
      const batch = Math.max(1, Math.ceil(S / 10));
      for (let from = 0; from < S; from += batch) {
        const to = Math.min(S, from + batch);
        await pool(from, to, opts.concurrency, async (i) => {
          const c = await connect(server.url);
          await c.request('login', loginRequest(`room${i % opts.rooms}`, `idle${i}`));
          clients.push(c);
          if (clients.length % 100 === 0) progress.update(clients.length);
        });
        const m = await memory(server);
        curve.push({ sessions: to, rssMiB: round(m.rss / MiB, 1), heapMiB: round(m.heapUsed / MiB, 1) });
      }
      const health = await server.health();
      await sleep(2000);
      const after = await memory(server);
      const cpu0 = server.cpuMs();
      const idleWindowMs = 5000;
      progress.phase(`idle sessions: server CPU with ${S} connected, ${idleWindowMs / 1000} s`);
      await sleep(idleWindowMs);
      const idleCpuPercent = round(((server.cpuMs() - cpu0) / idleWindowMs) * 100, 1);
      const memoryResult = {
        sessions: S,
        rooms: opts.rooms,
        sessionsSeenByServer: health.sessions ?? null,
        rssBeforeMiB: round(before.rss / MiB, 1),
        rssAfterMiB: round(after.rss / MiB, 1),
        rssPerSessionKiB: round((after.rss - before.rss) / S / 1024, 2),
        heapPerSessionKiB: round((after.heapUsed - before.heapUsed) / S / 1024, 2),
        idleServerCpuPercent: idleCpuPercent,
        heartbeatIntervalMs: clients[0]?.hello.heartbeatIntervalMs ?? null,
      };
      progress.log(
        `memory: ${memoryResult.rssPerSessionKiB} KiB RSS and ${memoryResult.heapPerSessionKiB} KiB heap per ` +
          `session; idle CPU ${idleCpuPercent} %`,
      );
      for (const c of clients.splice(0)) c.close();
      await sleep(1000);

      // (2) A room of M members with user updates, then timed joins.
      let current: Joining | null = null;
      const onEvent = (ev: ServerEvent, at: number): void => {
        const joining = current;
        if (joining === null || ev.type !== 'userUpdate' || ev['updateType'] !== 'ADD') return;
        const users = Array.isArray(ev['users']) ? (ev['users'] as { userID?: unknown }[]) : [];
        if (!users.some((u) => u.userID === joining.userID)) return;
        joining.latencies.push(at - joining.t0);
        if (joining.latencies.length === joining.expected) joining.resolve();
      };
      progress.phase(`fan-out room: ${M} members with user updates`, M);
      const members: SignalClient[] = [];
      await pool(0, M, Math.min(opts.concurrency, 50), async (i) => {
        const c = await connect(server.url, { onEvent });
        await c.request('login', loginRequest('big-room', `member${i}`, { userUpdate: true }));
        members.push(c);
        if (members.length % 20 === 0) progress.update(members.length);
      });
      await sleep(2000); // the ADDs of the filling are delivered
      const latencies: number[] = [];
      const perJoin: {
        members: number;
        received: number;
        loginReplyMs: number | null;
        p50: number | null;
        p99: number | null;
        max: number | null;
      }[] = [];
      let missing = 0;
      progress.phase(`fan-out: ${opts.joins} joins into ${M}+ members`, opts.joins);
      const cpu = watchCpus(server);
      for (let j = 0; j < opts.joins; j++) {
        const userID = `joiner${j}`;
        const c = await connect(server.url, { onEvent });
        const joining: Joining = {
          userID,
          t0: 0,
          latencies: [],
          expected: members.length,
          resolve: () => {},
        };
        const done = new Promise<void>((resolve) => {
          joining.resolve = resolve;
        });
        current = joining;
        joining.t0 = performance.now();
        await c.request('login', loginRequest('big-room', userID, { userUpdate: true }));
        const replyMs = performance.now() - joining.t0;
        await Promise.race([done, sleep(10_000)]);
        const got = joining.latencies;
        missing += joining.expected - got.length;
        latencies.push(...got);
        const s = summarize(got);
        perJoin.push({
          members: joining.expected,
          received: got.length,
          loginReplyMs: round(replyMs, 2),
          p50: round(s.p50, 2),
          p99: round(s.p99, 2),
          max: round(s.max, 2),
        });
        current = null;
        members.push(c);
        progress.update(j + 1, `p99 ${round(s.p99, 1)} ms`);
        await sleep(500);
      }
      const { otherLoadPercent } = cpu();
      const all = summarize(latencies);
      const fanout = {
        roomSize: M,
        joins: opts.joins,
        samples: latencies.length,
        missing,
        latencyMs: { p50: round(all.p50, 2), p99: round(all.p99, 2), max: round(all.max, 2) },
        perJoin,
        otherLoadPercent,
      };
      for (const c of members) c.close();
      const notes: string[] = [
        `fan-out latency includes the bench process reading ${M} sockets in turn (one event loop): the last ` +
          'members are read last, so the spread is partly the receiving side’s',
      ];
      if (missing > 0) notes.push(`${missing} ADD events never arrived within 10 s`);
      const chart = renderChart({
        title: 'signaling-scale',
        subtitle: `${S} idle sessions in ${opts.rooms} rooms; fan-out room of ${M} members`,
        panels: [
          {
            title: 'Server memory (after a full GC) by idle sessions',
            xLabel: 'sessions',
            yLabel: 'MiB',
            x: curve.map((c) => c.sessions),
            series: [
              { name: 'RSS', values: curve.map((c) => c.rssMiB) },
              { name: 'V8 heap used', values: curve.map((c) => c.heapMiB) },
            ],
          },
          {
            title: `roomUserUpdate ADD fan-out to ${M} members, by percentile`,
            xLabel: 'percentile',
            yLabel: 'ms',
            x: Array.from({ length: 100 }, (_, i) => i + 1),
            series: [{ name: 'login → member got ADD', values: percentileCurve(latencies) }],
          },
        ],
      });
      return { rows: curve, summary: { memory: memoryResult, fanout }, notes, chart };
    } finally {
      for (const c of clients) c.close();
      await server.stop();
    }
  },
  headline(result) {
    const { memory: m, fanout: f } = result.summary;
    return {
      result:
        `${m.rssPerSessionKiB} KiB RSS per idle session (${m.sessions} sessions); ADD fan-out to ${f.roomSize}: ` +
        `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`,
      baseline: null,
      ratio: null,
    };
  },
  markdown(result) {
    const { memory: m, fanout: f } = result.summary;
    return [
      '| idle sessions | rooms | RSS before → after | RSS per session | V8 heap per session | idle server CPU |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${m.sessions} | ${m.rooms} | ${m.rssBeforeMiB} → ${m.rssAfterMiB} MiB | ${m.rssPerSessionKiB} KiB | ${m.heapPerSessionKiB} KiB | ${m.idleServerCpuPercent} % |`,
      '',
      '| room members | joins | ADD latency p50 / p99 / max | missing | login reply (per join) | other load CPU 0 / 1 |',
      '| ---: | ---: | ---: | ---: | --- | ---: |',
      `| ${f.roomSize} | ${f.joins} | ${f.latencyMs.p50} / ${f.latencyMs.p99} / ${f.latencyMs.max} ms | ${f.missing} | ` +
        `${f.perJoin.map((j) => `${j.loginReplyMs} ms`).join(', ')} | ${f.otherLoadPercent.cpu0 ?? '—'} / ${f.otherLoadPercent.cpu1 ?? '—'} % |`,
    ].join('\n');
  },
});
