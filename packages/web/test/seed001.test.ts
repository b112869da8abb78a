/**
 * Seed 001's JavaScript, as printed (test/pages/seed001.js), runs in Chromium against a Parley server with only
 * the import line and the server address changed — once as an ES module importing `/sdk/parley.mjs`, once after
 * a classic `<script src="/sdk/parley.js">` that defines `window.ZegoExpressEngine`. The page logs in, captures
 * the (fake) microphone, publishes, plays its own stream back through the SFU into an `<audio>`, and stops.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { RunningServer } from '@parley/server';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage, receivedMedia, skipWithoutBrowser } from './support/browser.js';
import { APP, startTestServer, TEST_PAGES_DIR, token, unique, until } from './support/fixtures.js';
import { type Seen, seedPage } from './support/seedPage.js';

describe('seed 001 runs unchanged in Chromium', { skip: skipWithoutBrowser() }, () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-seed-'));
    const seed = await readFile(join(TEST_PAGES_DIR, 'seed001.js'), 'utf8');
    await writeFile(join(dir, 'seed-module.html'), seedPage(seed, 'module'));
    await writeFile(join(dir, 'seed-script.html'), seedPage(seed, 'script'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A server per case: the case counts the server's streams and sessions, so a failed case (whose stream and
  // session stay until they time out) must not fail the next one too.
  beforeEach(async () => {
    // The pages are served by the Parley server itself, as an app's pages would be by its own origin.
    server = await startTestServer({ web: { demoDir: dir } });
  });

  afterEach(async () => {
    await server?.close();
  });

  for (const variant of ['module', 'script'] as const) {
    it(`as ${variant === 'module' ? 'an ES module' : 'a classic script'}: login, publish, play, hear, stop`, async (t) => {
      const { page, errors } = await newPage(browser);
      t.after(() => page.context().close());
      const userID = unique('seed-user');
      const streamID = unique('seed-stream');
      const query = new URLSearchParams({
        appID: String(APP.appID),
        roomID: unique('seed-room'),
        userID,
        token: token(userID),
        streamID,
      });
      await page.goto(`${server.httpUrl}/seed-${variant}.html?${query}`);
      const seen = () => page.evaluate(() => (window as unknown as { __seed: Seen }).__seed);
      const inCall = await until(
        'the seed to reach the call',
        seen,
        (s) => s.step === 'in call' || !!s.error,
      );
      assert.equal(inCall.error, null);
      assert.equal(inCall.loginResult, true);
      const caps = inCall.capabilities!;
      assert.equal(caps['webRTC'], true);
      assert.equal(caps['microphone'], true);
      assert.equal((caps['videoCodec'] as Record<string, boolean>)['VP8'], true);

      // The microphone comes back through the SFU into the <audio>: packets and sound energy rise.
      const media = await until(
        'audio to arrive',
        () => receivedMedia(page),
        (m) => m.audioPacketsReceived > 100 && m.totalAudioEnergy > 0,
      );
      assert.equal(media.framesDecoded, 0, 'the seed publishes audio only');
      // Reports come every 3 s from one timer; the first of a stream may cover the moment before its media
      // flowed (0 kbps, as the SDK should report it), so the test waits for one with audio in it.
      const withAudio = (s: Seen, name: string) =>
        s.events.some(
          ([n, args]) =>
            n === name && (args[1] as { audio: { audioBitrate: number } }).audio.audioBitrate > 0,
        );
      const withQuality = await until('both quality reports with audio', seen, (s) =>
        ['publishQualityUpdate', 'playQualityUpdate'].every((e) => withAudio(s, e)),
      );
      const of = (name: string) => withQuality.events.filter(([n]) => n === name).map(([, args]) => args);
      assert.deepEqual(
        of('roomStateChanged').map((a) => a[1]),
        ['LOGINING', 'LOGINED'],
      );
      assert.ok(of('publisherStateUpdate').some(([r]) => (r as { state: string }).state === 'PUBLISHING'));
      assert.ok(of('playerStateUpdate').some(([r]) => (r as { state: string }).state === 'PLAYING'));
      assert.deepEqual(
        [...new Set([...of('publishQualityUpdate'), ...of('playQualityUpdate')].map(([id]) => id))],
        [streamID],
      );
      const health = async () =>
        (await (await fetch(`${server.httpUrl}/healthz`)).json()) as Record<string, number>;
      const during = await health();
      assert.equal(during['streams'], 1);

      // §2.8: stop publishing, destroy the stream, stop playing, log out, destroy the engine.
      await page.evaluate(() => (window as unknown as { __endCall: () => void }).__endCall());
      const ended = await until('the seed to end', seen, (s) => s.step === 'ended' || !!s.error);
      assert.equal(ended.error, null);
      assert.equal(ended.events.filter(([n]) => n === 'roomStateChanged').at(-1)?.[1][1], 'LOGOUT');
      await until(
        'the server to release the session and its media',
        health,
        (h) => h['sessions'] === 0 && h['streams'] === 0 && h['mediaTransports'] === 0,
      );
      const closed = await page.evaluate(() =>
        (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => pc.connectionState),
      );
      assert.ok(closed.length >= 2 && closed.every((s) => s === 'closed'), `connections: ${closed}`);
      assert.deepEqual(
        errors.filter((e) => e.startsWith('pageerror')),
        [],
      );
    });
  }
});
