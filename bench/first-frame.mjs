/**
 * Time from startPlayingStream to the first received frame (and to the first video frame), Node player,
 * p50/p99 over N runs. The server runs in its own process; one Node publisher sends the synthetic camera and
 * microphone. Usage: node bench/first-frame.mjs [runs=20] [gapMs=0]
 * With gapMs 0 the players join back to back, so video waits for the SFU's keyframe-request rate limit (one
 * PLI per 500 ms per stream); a gap above 500 ms shows the first video frame of a lone joiner.
 */

import { silentLogger, ZegoExpressEngine } from '../packages/node/dist/src/index.js';
import { generateToken04 } from '../packages/token/dist/src/index.js';
import { APP, startServerProcess } from './lib/serverProcess.mjs';

const runs = Number(process.argv[2] ?? 20);
const gapMs = Number(process.argv[3] ?? 0);
const server = await startServerProcess({ cpu: 0 });
const token = (userID) => generateToken04(APP.appID, userID, APP.serverSecret, 3600, '');
const room = 'first-frame';

const publisher = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
await publisher.loginRoom(room, token('pub'), { userID: 'pub' });
const publishing = new Promise((resolve) =>
  publisher.on('publisherStateUpdate', (r) => r.state === 'PUBLISHING' && resolve()),
);
publisher.startPublishingStream('ff-cam', await publisher.createZegoStream());
await publishing;

const anyFrame = [];
const videoFrame = [];
for (let i = 0; i < runs; i++) {
  const player = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
  await player.loginRoom(room, token(`p${i}`), { userID: `p${i}` });
  const t0 = performance.now();
  let first = null;
  const firstVideo = new Promise((resolve) =>
    player.on('playerRecvVideoFirstFrame', () => resolve(performance.now() - t0)),
  );
  const sink = await player.startPlayingStream('ff-cam');
  // Frames that came before the promise settled are in the counts; then the promise time bounds the first one.
  const c = sink.counts;
  if (c.audioFrames + c.videoFrames > 0) first = performance.now() - t0;
  else first = await new Promise((resolve) => sink.once('frame', () => resolve(performance.now() - t0)));
  anyFrame.push(first);
  videoFrame.push(await firstVideo);
  player.destroyEngine();
  if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  process.stdout.write(
    `run ${i + 1}/${runs}: first frame ${first.toFixed(1)} ms, first video frame ${videoFrame.at(-1).toFixed(1)} ms\n`,
  );
}
publisher.destroyEngine();
await server.stop();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const summary = {
  runs,
  gapMs,
  firstFrameMs: {
    p50: pct(anyFrame, 50),
    p99: pct(anyFrame, 99),
    min: Math.min(...anyFrame),
    max: Math.max(...anyFrame),
  },
  firstVideoFrameMs: {
    p50: pct(videoFrame, 50),
    p99: pct(videoFrame, 99),
    min: Math.min(...videoFrame),
    max: Math.max(...videoFrame),
  },
};
console.log(JSON.stringify(summary, null, 2));
