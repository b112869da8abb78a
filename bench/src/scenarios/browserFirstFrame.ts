/**
 * browser-first-frame: startPlayingStream → first decoded video frame in Chromium, p50/p99 over `--runs` runs.
 * Debian's Chromium (playwright-core, fake camera and microphone, headless) runs two pages on the server's own
 * origin with the web SDK from `/sdk/parley.mjs`: one publishes its camera, the other plays it `--runs` times.
 * Each run times, from the call of startPlayingStream: PLAYING (the promise resolves), the first decoded frame,
 * and the first frame presented in a <video> (requestVideoFrameCallback). The first decoded frame is the
 * earlier of two sightings: the page's inbound-rtp `framesDecoded` > 0 (getStats, read every 5 ms) and the
 * first presented frame (a presented frame has been decoded). getStats alone lags: libwebrtc answers it from a
 * report it caches for a while (RTCStatsCollector), and in 7 of 10 runs of a measurement made with getStats
 * alone the frame was presented 10–40 ms before getStats counted it decoded. Chromium runs on the bench's CPU
 * (it inherits the bench's pinning).
 */

// The Chromium executable and the flags that work here: one list, shared with the browser tests.
import type { ZegoExpressEngine as WebEngine } from '@parley/web';
import { CHROMIUM_ARGS, chromiumPath } from '@parley/web/test/browser';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderChart } from '../lib/chart.js';
import { type CpuWatch, watchCpus } from '../lib/procStat.js';
import { defineScenario } from '../lib/scenario.js';
import { APP, startServerProcess, tokenFor } from '../lib/serverProcess.js';
import { msSpread, msSpreadRow, round, summarize } from '../lib/stats.js';

/**
 * What the bench keeps on a page's `window` (the functions below run in the page, serialized by playwright, so
 * they reach these through `window` rather than a helper of this module).
 */
interface BenchPage {
  RTCPeerConnection: typeof RTCPeerConnection;
  __pcs: RTCPeerConnection[];
  zg: WebEngine;
  __playOnce(streamID: string): Promise<PlayTimes>;
}

/** One play's times in the page, ms from the call of startPlayingStream (null: did not happen in time). */
interface PlayTimes {
  playingMs: number;
  decodedMs: number | null;
  presentedMs: number | null;
}

/** The web SDK's module as the server serves it (`/sdk/parley.mjs`). */
type WebSdk = typeof import('@parley/web');

const ROOM = 'browser-first-frame';
const ms = msSpread;

/** Keeps the page's peer connections in `window.__pcs` (to read what Chromium measured). */
function recordPeerConnections(): void {
  const page = window as unknown as BenchPage;
  const Native = page.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  page.__pcs = all;
  page.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  };
}

/** A page on the server's origin with an engine logged in as `userID` (window.zg). */
async function sdkPage(browser: Browser, httpUrl: string, userID: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  await page.goto(`${httpUrl}/healthz`);
  await page.evaluate(
    async ({ appID, token, userID, room }) => {
      // The page's own origin serves the SDK; the path is a variable so that the compiler does not resolve it.
      const sdk = '/sdk/parley.mjs';
      const { ZegoExpressEngine } = (await import(sdk)) as WebSdk;
      const page = window as unknown as BenchPage;
      page.zg = new ZegoExpressEngine(appID, '');
      await page.zg.loginRoom(room, token, { userID });
    },
    { appID: APP.appID, token: tokenFor(userID), userID, room: ROOM },
  );
  return page;
}

/** One run in the player page: play, time PLAYING / decoded / presented, stop. */
function playOnce(streamID: string): Promise<PlayTimes> {
  return (window as unknown as BenchPage).__playOnce(streamID);
}

function installPlayOnce(): void {
  const page = window as unknown as BenchPage;
  page.__playOnce = async (streamID) => {
    const t0 = performance.now();
    const stream = await page.zg.startPlayingStream(streamID);
    const playing = performance.now() - t0;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.srcObject = stream;
    document.body.append(video);
    let presentedAt: number | null = null;
    const presented = new Promise<number>((resolve) =>
      video.requestVideoFrameCallback(() => {
        presentedAt = performance.now() - t0;
        resolve(presentedAt);
      }),
    );
    let decoded: number | null = null;
    while (decoded === null && performance.now() - t0 < 10_000) {
      // A presented frame was decoded at the latest then (getStats may not count it yet: see the top).
      if (presentedAt !== null) {
        decoded = presentedAt;
        break;
      }
      for (const pc of page.__pcs) {
        if (pc.connectionState === 'closed') continue;
        for (const s of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
          if (s['type'] === 'inbound-rtp' && s['kind'] === 'video' && Number(s['framesDecoded']) > 0)
            decoded = Math.min(performance.now() - t0, presentedAt ?? Number.POSITIVE_INFINITY);
        }
      }
      if (decoded === null) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const shown = await Promise.race([
      presented,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000)),
    ]);
    page.zg.stopPlayingStream(streamID);
    video.remove();
    return { playingMs: playing, decodedMs: decoded, presentedMs: shown };
  };
}

export default defineScenario({
  name: 'browser-first-frame',
  title: 'browser-first-frame: startPlayingStream → first decoded frame (Chromium)',
  summary: 'startPlayingStream → first decoded video frame in Chromium, p50/p99 over 10 runs',
  measures:
    'Two Chromium pages with the web SDK: one publishes its fake camera, the other plays it each run and times ' +
    'PLAYING, the first decoded frame (getStats framesDecoded > 0, or the first presented frame if that comes ' +
    'first) and the first presented frame.',
  options: {
    runs: { type: 'int', default: 10, help: 'plays, one after another' },
    'warmup-runs': { type: 'int', default: 1, help: 'plays before those, not counted' },
    'gap-ms': { type: 'int', default: 600, help: 'pause between runs, ms' },
  } as const,
  async run(opts, { progress }) {
    const executablePath = chromiumPath();
    if (!executablePath) throw new Error('Chromium is not installed (apt-get install -y chromium)');
    const server = await startServerProcess({ cpu: 0 });
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const publisher = await sdkPage(browser, server.httpUrl, 'pub');
      await publisher.evaluate(async () => {
        const page = window as unknown as BenchPage;
        const local = await page.zg.createZegoStream();
        const publishing = new Promise<void>((resolve) =>
          page.zg.on('publisherStateUpdate', (r) => r.state === 'PUBLISHING' && resolve()),
        );
        page.zg.startPublishingStream('bff-cam', local);
        await publishing;
      });
      const player = await sdkPage(browser, server.httpUrl, 'player');
      await player.evaluate(installPlayOnce);
      const warmup = opts['warmup-runs'];
      const runs: {
        run: number;
        playingMs: number | null;
        decodedMs: number | null;
        presentedMs: number | null;
      }[] = [];
      let cpu: (() => CpuWatch) | null = null;
      progress.phase(`browser first frame: ${warmup} + ${opts.runs} plays`, warmup + opts.runs);
      for (let i = 0; i < warmup + opts.runs; i++) {
        if (i === warmup) cpu = watchCpus(server);
        const r = await player.evaluate(playOnce, 'bff-cam');
        if (i >= warmup) {
          runs.push({
            run: i - warmup + 1,
            playingMs: round(r.playingMs, 1),
            decodedMs: r.decodedMs === null ? null : round(r.decodedMs, 1),
            presentedMs: r.presentedMs === null ? null : round(r.presentedMs, 1),
          });
        }
        progress.update(i + 1, r.decodedMs === null ? 'no frame' : `${round(r.decodedMs, 1)} ms`);
        await new Promise<void>((resolve) => setTimeout(resolve, opts['gap-ms']));
      }
      if (cpu === null) throw new Error('no run was counted');
      const { serverCpuPercent, benchCpuPercent, otherLoadPercent } = cpu();
      const pick = (key: 'playingMs' | 'decodedMs' | 'presentedMs'): number[] =>
        runs.map((r) => r[key]).filter((v): v is number => v !== null);
      const summary = {
        runs: opts.runs,
        failedRuns: runs.filter((r) => r.decodedMs === null).length,
        chromium: browser.version(),
        playingMs: ms(summarize(pick('playingMs'))),
        decodedMs: ms(summarize(pick('decodedMs'))),
        presentedMs: ms(summarize(pick('presentedMs'))),
        serverCpuPercent,
        benchCpuPercent,
        otherLoadPercent,
      };
      const chart = renderChart({
        title: 'browser-first-frame: startPlayingStream → first frame in Chromium, per run',
        subtitle: `${opts.runs} runs, ${opts['gap-ms']} ms apart, Chromium ${summary.chromium}`,
        panels: [
          {
            title: 'Time from startPlayingStream',
            xLabel: 'run',
            yLabel: 'ms',
            x: runs.map((r) => r.run),
            series: [
              { name: 'PLAYING', values: runs.map((r) => r.playingMs) },
              { name: 'first decoded frame', values: runs.map((r) => r.decodedMs) },
              { name: 'first presented frame', values: runs.map((r) => r.presentedMs) },
            ],
          },
        ],
      });
      const notes = [
        'Decoded = the first getStats() read (every 5 ms) with framesDecoded > 0, so it is late by up to ~5 ms ' +
          'plus one getStats() call.',
      ];
      return { rows: runs, summary, notes, chart };
    } finally {
      await browser.close();
      await server.stop();
    }
  },
  headline(result) {
    const s = result.summary;
    return {
      result:
        `first decoded frame p50 ${s.decodedMs.p50} ms, p99 ${s.decodedMs.p99} ms ` +
        `(PLAYING p50 ${s.playingMs.p50} ms; Chromium ${s.chromium})`,
      baseline: null,
      ratio: null,
    };
  },
  markdown(result) {
    const s = result.summary;
    const row = msSpreadRow;
    return [
      `${s.runs} runs in Chromium ${s.chromium}${s.failedRuns ? `, ${s.failedRuns} without a frame` : ''}, ` +
        `${result.options['gap-ms']} ms apart; server CPU ${s.serverCpuPercent} %, bench process CPU ` +
        `${s.benchCpuPercent} % (Chromium's own processes not counted), other processes ${s.otherLoadPercent.cpu0 ?? '—'} % of CPU 0 and ` +
        `${s.otherLoadPercent.cpu1 ?? '—'} % of CPU 1.`,
      '',
      '| from startPlayingStream to | p50 | p99 | min | max |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('PLAYING', s.playingMs),
      row('first decoded video frame', s.decodedMs),
      row('first presented video frame', s.presentedMs),
    ].join('\n');
  },
});
