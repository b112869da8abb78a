/**
 * first-frame: startPlayingStream → first received frame, p50/p99 over `--runs` runs. One Node SDK publisher
 * sends its synthetic camera (VP8) and microphone (Opus) through the server; each run a new Node SDK engine
 * logs in (not timed), calls startPlayingStream and waits for the first frame of any kind and for the first
 * video frame (a keyframe: the SFU asks the publisher for one, at most one request per 500 ms per stream).
 * `--gap-ms` between runs (default 600) makes each player a lone joiner; 0 makes them queue for keyframes.
 * The first `--warmup-runs` (default 2) meet a fresh server and bench (JIT warm-up): reported, not counted.
 */
import { silentLogger, ZegoExpressEngine } from '@parley/node';
import { renderChart } from '../lib/chart.js';
import { type CpuWatch, watchCpus } from '../lib/procStat.js';
import { defineScenario } from '../lib/scenario.js';
import { APP, startServerProcess, tokenFor } from '../lib/serverProcess.js';
import { msSpread, msSpreadRow, round, summarize } from '../lib/stats.js';

const ROOM = 'first-frame';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ms = msSpread;

/**
 * Resolves with the performance.now() at which `subscribe`'s listener first calls `fire` (it subscribes to an
 * event and fires on the one awaited), or null after `timeoutMs`.
 */
function timed(subscribe: (fire: () => void) => void, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    subscribe(() => {
      clearTimeout(timer);
      resolve(performance.now());
    });
  });
}

/** One player's times. */
interface FirstFrameRun {
  run: number;
  firstFrameMs: number | null;
  firstVideoFrameMs: number | null;
}

export default defineScenario({
  name: 'first-frame',
  title: 'first-frame: startPlayingStream → first received frame (Node SDK)',
  summary: 'startPlayingStream → first received frame, p50/p99 over 50 runs (Node SDK player)',
  measures:
    'A Node SDK publisher (synthetic VP8 camera + Opus microphone); each run a fresh Node SDK player times ' +
    'startPlayingStream → first frame (any) and → first video frame.',
  options: {
    runs: { type: 'int', default: 50, help: 'players, one after another' },
    'warmup-runs': {
      type: 'int',
      default: 2,
      help: 'players before those, not counted (a fresh server and bench)',
    },
    'gap-ms': { type: 'int', default: 600, help: 'pause between runs, ms' },
    'timeout-ms': { type: 'int', default: 10000, help: 'a run without a frame by then counts as failed' },
  } as const,
  async run(opts, { progress }) {
    const server = await startServerProcess({ cpu: 0 });
    const publisher = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
    try {
      await publisher.loginRoom(ROOM, tokenFor('pub'), { userID: 'pub' });
      const publishing = timed(
        (fire) =>
          publisher.on('publisherStateUpdate', (r) => {
            if (r.state === 'PUBLISHING') fire();
          }),
        15_000,
      );
      publisher.startPublishingStream('ff-cam', await publisher.createZegoStream());
      if ((await publishing) === null) throw new Error('the publisher never reached PUBLISHING');

      const warmup = opts['warmup-runs'];
      const runs: FirstFrameRun[] = [];
      const warmupRuns: FirstFrameRun[] = [];
      let cpu: (() => CpuWatch) | null = null;
      progress.phase(
        `first frame: ${warmup} + ${opts.runs} players, ${opts['gap-ms']} ms apart`,
        warmup + opts.runs,
      );
      for (let i = 0; i < warmup + opts.runs; i++) {
        if (i === warmup) cpu = watchCpus(server);
        const player = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
        await player.loginRoom(ROOM, tokenFor(`p${i}`), { userID: `p${i}` });
        const t0 = performance.now();
        const firstVideo = timed((fire) => player.on('playerRecvVideoFirstFrame', fire), opts['timeout-ms']);
        const sink = await player.startPlayingStream('ff-cam');
        // A frame may have come before startPlayingStream resolved: then the resolution bounds it.
        const c = sink.counts;
        const first =
          c.audioFrames + c.videoFrames > 0
            ? performance.now()
            : await timed((fire) => sink.on('frame', fire), opts['timeout-ms']);
        const video = await firstVideo;
        (i < warmup ? warmupRuns : runs).push({
          run: i < warmup ? i + 1 : i - warmup + 1,
          firstFrameMs: first === null ? null : round(first - t0, 2),
          firstVideoFrameMs: video === null ? null : round(video - t0, 2),
        });
        player.destroyEngine();
        progress.update(i + 1, first === null ? 'no frame' : `${round(first - t0, 1)} ms`);
        if (opts['gap-ms'] > 0) await sleep(opts['gap-ms']);
      }
      if (cpu === null) throw new Error('no run was counted');
      const { serverCpuPercent, benchCpuPercent, otherLoadPercent } = cpu();
      const anyFrame = runs.map((r) => r.firstFrameMs).filter((v): v is number => v !== null);
      const videoFrame = runs.map((r) => r.firstVideoFrameMs).filter((v): v is number => v !== null);
      const failed = runs.filter((r) => r.firstFrameMs === null || r.firstVideoFrameMs === null).length;
      const summary = {
        runs: opts.runs,
        /** Runs on the fresh server and bench before the counted ones (JIT warm-up), not in the percentiles. */
        warmupRuns,
        failedRuns: failed,
        firstFrameMs: ms(summarize(anyFrame)),
        firstVideoFrameMs: ms(summarize(videoFrame)),
        serverCpuPercent,
        benchCpuPercent,
        otherLoadPercent,
      };
      const k = Math.ceil(0.99 * opts.runs);
      const notes = [
        `p99 of ${opts.runs} runs is, by nearest rank, the ${k}th of ${opts.runs} sorted by time` +
          (k === opts.runs ? ' (the slowest)' : ''),
      ];
      if (failed > 0) notes.push(`${failed} runs got no frame within ${opts['timeout-ms']} ms`);
      const chart = renderChart({
        title: 'first-frame: startPlayingStream → first frame, per run',
        subtitle: `${opts.runs} runs, ${opts['gap-ms']} ms apart`,
        panels: [
          {
            title: 'Time to first frame',
            xLabel: 'run',
            yLabel: 'ms',
            x: runs.map((r) => r.run),
            series: [
              { name: 'first frame (any)', values: runs.map((r) => r.firstFrameMs) },
              { name: 'first video frame', values: runs.map((r) => r.firstVideoFrameMs) },
            ],
          },
        ],
      });
      return { rows: runs, summary, notes, chart };
    } finally {
      publisher.destroyEngine();
      await server.stop();
    }
  },
  headline(result) {
    const s = result.summary;
    return {
      result:
        `first frame p50 ${s.firstFrameMs.p50} ms, p99 ${s.firstFrameMs.p99} ms; ` +
        `first video frame p50 ${s.firstVideoFrameMs.p50} ms, p99 ${s.firstVideoFrameMs.p99} ms`,
      baseline: null,
      ratio: null,
    };
  },
  markdown(result) {
    const s = result.summary;
    const row = msSpreadRow;
    return [
      `${s.runs} runs${s.failedRuns ? `, ${s.failedRuns} without a frame` : ''}, ${result.options['gap-ms']} ms apart, ` +
        `after ${s.warmupRuns.length} warm-up runs not counted (first frame ` +
        `${s.warmupRuns.map((r) => `${r.firstFrameMs ?? '—'} ms`).join(', ') || '—'}); ` +
        `server CPU ${s.serverCpuPercent} %, bench CPU ${s.benchCpuPercent} %, other processes ` +
        `${s.otherLoadPercent.cpu0 ?? '—'} % of CPU 0 and ${s.otherLoadPercent.cpu1 ?? '—'} % of CPU 1 over the runs.`,
      '',
      '| from startPlayingStream to | p50 | p99 | min | max |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('first frame (audio or video)', s.firstFrameMs),
      row('first video frame', s.firstVideoFrameMs),
    ].join('\n');
  },
});
