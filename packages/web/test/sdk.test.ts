/**
 * The web SDK's own behaviour in Chromium: refusals with Express codes (login, capture, publish input),
 * capability detection, the H.264 option, quality reports from getStats(), and destroyEngine releasing
 * everything on the page and on the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '@parley/server';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage, receivedMedia, skipWithoutBrowser } from './support/browser.js';
import { APP, startTestServer, TEST_PAGES_DIR, unique, until } from './support/fixtures.js';
import { openSdkPage } from './support/sdkPage.js';

type Zg = Record<string, (...args: unknown[]) => unknown>;

describe('web SDK in Chromium', { skip: skipWithoutBrowser() }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer({ web: { demoDir: TEST_PAGES_DIR } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rejects a bad token with {code, msg}; detects capabilities; the script build defines the global', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${server.httpUrl}/blank.html`);
    await page.addScriptTag({ url: '/sdk/parley.js' });
    const result = await page.evaluate(async (appID) => {
      const Engine = (window as unknown as { ZegoExpressEngine: new (a: number, s: string) => Zg })
        .ZegoExpressEngine;
      const zg = new Engine(appID, '');
      const caps = await zg.checkSystemRequirements!();
      const cameraOnly = await zg.checkSystemRequirements!('camera');
      let rejection: unknown = null;
      try {
        await zg.loginRoom!('room', 'not-a-token', { userID: 'u1' });
      } catch (err) {
        rejection = { code: (err as { code: number }).code, msg: (err as { msg: string }).msg };
      }
      let constructorError: unknown = null;
      try {
        new Engine(0, '');
      } catch (err) {
        constructorError = (err as { code: number }).code;
      }
      zg.destroyEngine!();
      return { caps, cameraOnly, rejection, constructorError };
    }, APP.appID);
    assert.deepEqual(result.caps, {
      webRTC: true,
      customCapture: true,
      camera: true,
      microphone: true,
      screenSharing: true,
      videoCodec: (result.caps as { videoCodec: unknown }).videoCodec,
      errInfo: {},
    });
    assert.equal((result.caps as { videoCodec: { VP8: boolean } }).videoCodec.VP8, true);
    assert.equal((result.cameraOnly as { camera: boolean; webRTC: boolean }).camera, true);
    assert.equal((result.cameraOnly as { webRTC: boolean }).webRTC, false, 'only what was asked is detected');
    assert.equal((result.rejection as { code: number }).code, 1102016);
    assert.match((result.rejection as { msg: string }).msg, /token/);
    assert.equal(result.constructorError, 1001004);
    await page.context().close();
  });

  it('maps capture failures to 1103064 / 1103065 / 1103061 and bad options to 1100001', async () => {
    const user = await openSdkPage(browser, server, unique('u'), unique('room'));
    const codes = await user.page.evaluate(async () => {
      const zg = (window as unknown as { zg: Zg }).zg;
      const media = navigator.mediaDevices;
      const real = media.getUserMedia.bind(media);
      const out: Record<string, unknown> = {};
      for (const name of ['NotAllowedError', 'NotReadableError', 'OverconstrainedError', 'NotFoundError']) {
        media.getUserMedia = () => Promise.reject(new DOMException('refused by the test', name));
        try {
          await zg.createZegoStream!();
          out[name] = 'resolved';
        } catch (err) {
          out[name] = (err as { code: number }).code;
        }
      }
      media.getUserMedia = real;
      for (const [label, config] of [
        ['nothing', { camera: { audio: false, video: false } }],
        ['two sources', { camera: {}, screen: true }],
        ['bad quality', { camera: { videoQuality: 9 } }],
      ] as const) {
        try {
          await zg.createZegoStream!(config);
          out[label] = 'resolved';
        } catch (err) {
          out[label] = (err as { code: number }).code;
        }
      }
      // A destroyed stream has no live track: the publish is refused at once with NO_PUBLISH 1100001.
      const local = await zg.createZegoStream!({ camera: { video: false } });
      zg.destroyStream!(local);
      out['publish destroyed'] = zg.startPublishingStream!('dead-stream', local);
      out['bad codec'] = zg.startPublishingStream!('bad-codec', await zg.createZegoStream!(), {
        videoCodec: 'AV1',
      });
      return out;
    });
    assert.deepEqual(codes, {
      NotAllowedError: 1103064,
      NotReadableError: 1103065,
      OverconstrainedError: 1103061,
      NotFoundError: 1103061,
      nothing: 1100001,
      'two sources': 1100001,
      'bad quality': 1100001,
      'publish destroyed': false,
      'bad codec': false,
    });
    const refused = (await user.events('publisherStateUpdate')).map(([r]) => r as Record<string, unknown>);
    assert.deepEqual(
      refused.map((r) => [r['streamID'], r['state'], r['errorCode']]),
      [
        ['dead-stream', 'NO_PUBLISH', 1100001],
        ['bad-codec', 'NO_PUBLISH', 1100001],
      ],
    );
    await user.close();
  });

  it('publishes H.264 when asked; quality reports carry real figures; destroyEngine releases everything', async () => {
    const roomID = unique('room');
    const pub = await openSdkPage(browser, server, unique('pub'), roomID, { qualityIntervalMs: 1000 });
    const sub = await openSdkPage(browser, server, unique('sub'), roomID, { qualityIntervalMs: 1000 });
    const streamID = unique('h264');
    await pub.page.evaluate(async (streamID) => {
      const zg = (window as unknown as { zg: Zg }).zg;
      zg.startPublishingStream!(streamID, await zg.createZegoStream!(), { videoCodec: 'H264' });
    }, streamID);
    await sub.page.evaluate(async (streamID) => {
      const zg = (window as unknown as { zg: Zg }).zg;
      const video = document.createElement('video');
      video.srcObject = (await zg.startPlayingStream!(streamID)) as MediaStream;
      video.autoplay = true;
      document.body.append(video);
    }, streamID);
    await until(
      'H.264 frames decoded',
      () => receivedMedia(sub.page),
      (m) => m.framesDecoded > 20,
    );
    const codec = await sub.page.evaluate(async () => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const pc of pcs) {
        for (const s of (await pc.getStats()).values())
          if (s.type === 'codec' && /video/.test(s.mimeType)) return s.mimeType;
      }
      return null;
    });
    assert.equal(codec, 'video/H264');

    // A report counts frames as they arrive, and the browser gives their size once it has decoded one: a report
    // from before the first keyframe has frames and no size yet, so the test reads one taken after decoding.
    type VideoFigures = { video: { videoFPS: number; videoFramesDecoded: number } };
    const decoding = ([, s]: unknown[]) =>
      (s as VideoFigures).video.videoFPS > 0 && (s as VideoFigures).video.videoFramesDecoded > 0;
    const playQuality = await until(
      'a play quality report with decoded video',
      () => sub.events('playQualityUpdate'),
      (e) => e.some(decoding),
    );
    const stats = playQuality.find(decoding)![1] as {
      video: Record<string, number>;
      audio: Record<string, number>;
    };
    assert.equal(stats.video['frameWidth'], 640);
    assert.ok(stats.video['videoBitrate']! > 50, `video ${stats.video['videoBitrate']} kbps`);
    assert.ok(stats.audio['audioBitrate']! > 5, `audio ${stats.audio['audioBitrate']} kbps`);
    const pubQuality = await until(
      'a publish quality report with video',
      () => pub.events('publishQualityUpdate'),
      (e) => e.some(([, s]) => (s as { video: { videoFPS: number } }).video.videoFPS > 0),
    );
    assert.ok(pubQuality.length > 0);

    // destroyEngine: the page's connections close, its capture stops, the server lets go of both users.
    for (const user of [pub, sub]) {
      const state = await user.page.evaluate(() => {
        const w = window as unknown as { zg: Zg; __pcs: RTCPeerConnection[] };
        w.zg.destroyEngine!();
        return w.__pcs.map((pc) => pc.connectionState);
      });
      assert.ok(
        state.every((s) => s === 'closed'),
        `connections: ${state}`,
      );
    }
    await until(
      'the server to release both users',
      async () => (await (await fetch(`${server.httpUrl}/healthz`)).json()) as Record<string, number>,
      (h) => h['sessions'] === 0 && h['mediaTransports'] === 0,
    );
    assert.deepEqual([...pub.errors, ...sub.errors], []);
    await pub.close();
    await sub.close();
  });
});
