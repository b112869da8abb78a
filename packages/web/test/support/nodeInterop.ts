/**
 * Browser ↔ Node through Parley (one server, or two nodes of a cluster): a Node bot (the Node SDK, werift, its synthetic camera and 440 Hz
 * microphone) publishes and Chromium plays and decodes it; Chromium publishes its fake camera and microphone and
 * the Node engine receives the frames. Mutes on either side reach the other as remote camera / mic states.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FrameSink, ZegoExpressEngine as NodeEngine, type ReceivedFrame } from '@parley/node';
import type { RunningServer } from '@parley/server';
import type { Browser } from 'playwright-core';
import { launchChromium, receivedMedia, skipWithoutBrowser } from './browser.js';
import { APP, token, unique, until } from './fixtures.js';
import { openSdkPage } from './sdkPage.js';

/** Width and height of a VP8 key frame (RFC 6386 §9.1). */
function vp8Size(frame: Buffer): { width: number; height: number } | null {
  if (frame.length < 10 || (frame[0]! & 1) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

/** The servers of one run: where the Node bots log in, where the pages are served from and log in. */
export interface InteropServers {
  bots: RunningServer;
  pages: RunningServer;
  close(): Promise<void>;
}

/**
 * The browser ↔ Node tests, on the servers `start` gives: one server for both, or two nodes of a cluster (then
 * every stream crosses a media pipe between them).
 */
export function describeNodeInterop(
  title: string,
  start: () => Promise<InteropServers>,
  skip: string | false,
): void {
  describe(title, { skip: skip || skipWithoutBrowser() }, () => {
    let servers: InteropServers;
    let browser: Browser;
    const bots: NodeEngine[] = [];

    before(async () => {
      servers = await start();
      browser = await launchChromium();
    });

    after(async () => {
      for (const bot of bots) bot.destroyEngine();
      await browser?.close();
      await servers?.close();
    });

    async function bot(userID: string, roomID: string): Promise<NodeEngine> {
      const zg = new NodeEngine(APP.appID, servers.bots.url);
      bots.push(zg);
      await zg.loginRoom(roomID, token(userID), { userID }, { userUpdate: true });
      return zg;
    }

    it('a Node bot publishes; the page plays, decodes its picture and hears its tone; mic mute reaches the page', async () => {
      const roomID = unique('room');
      const nodeBot = await bot(unique('bot'), roomID);
      const local = await nodeBot.createZegoStream();
      const botStream = unique('bot-cam');
      const publishing = new Promise<void>((resolve) =>
        nodeBot.on('publisherStateUpdate', (r) => r.state === 'PUBLISHING' && resolve()),
      );
      nodeBot.startPublishingStream(botStream, local);
      await publishing;

      const viewer = await openSdkPage(browser, servers.pages, unique('viewer'), roomID);
      await viewer.page.evaluate(async (streamID) => {
        const zg = (window as unknown as { zg: { startPlayingStream(id: string): Promise<MediaStream> } }).zg;
        const video = document.createElement('video');
        video.id = 'remote';
        // Not muted: Chromium decodes (and measures) received audio only while something plays it out.
        video.autoplay = true;
        video.srcObject = await zg.startPlayingStream(streamID);
        document.body.append(video);
      }, botStream);
      const media = await until(
        'the bot video decoded and its audio heard',
        () => receivedMedia(viewer.page),
        (m) => m.framesDecoded >= 30 && m.totalAudioEnergy > 0,
      );
      assert.equal(media.frameWidth, 320, 'the synthetic camera is 320×240');
      // The decoded picture is the moving test pattern, not a black or grey frame: its luma varies widely.
      const spread = await viewer.page.evaluate(() => {
        const video = document.getElementById('remote') as HTMLVideoElement;
        const canvas = document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(video, 0, 0);
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let min = 255;
        let max = 0;
        for (let i = 0; i < data.length; i += 4) {
          const y = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
          min = Math.min(min, y);
          max = Math.max(max, y);
        }
        return max - min;
      });
      assert.ok(spread > 100, `luma spread ${spread}`);
      assert.deepEqual(
        (await viewer.events('playerStateUpdate')).map(([r]) => (r as { state: string }).state),
        ['PLAY_REQUESTING', 'PLAYING'],
      );
      assert.deepEqual(await viewer.events('playerRecvVideoFirstFrame'), [[botStream]]);

      nodeBot.mutePublishStreamAudio(local, true);
      await until(
        'the page to see the bot mute its microphone',
        () => viewer.events('remoteMicStatusUpdate'),
        (e) => e.some(([id, state]) => id === botStream && state === 'MUTE'),
      );
      assert.deepEqual(viewer.errors, []);
      await viewer.close();
    });

    it('the page publishes its camera and microphone; the Node engine receives the frames; camera mute reaches Node', async () => {
      const roomID = unique('room');
      const publisher = await openSdkPage(browser, servers.pages, unique('cam'), roomID);
      const pageStream = unique('page-cam');
      await publisher.page.evaluate(async (streamID) => {
        const w = window as unknown as {
          zg: {
            createZegoStream(): Promise<unknown>;
            startPublishingStream(id: string, s: unknown): boolean;
          };
          local: unknown;
        };
        w.local = await w.zg.createZegoStream();
        if (!w.zg.startPublishingStream(streamID, w.local)) throw new Error('publish refused');
      }, pageStream);
      await until(
        'the page to publish',
        () => publisher.events('publisherStateUpdate'),
        (e) => e.some(([r]) => (r as { state: string }).state === 'PUBLISHING'),
      );

      const listener = await bot(unique('listener'), roomID);
      const frames: ReceivedFrame[] = [];
      const sink: FrameSink = await listener.startPlayingStream(pageStream);
      sink.on('frame', (frame) => frames.push(frame));
      await until(
        'Chromium frames in Node',
        () => sink.counts,
        (c) => c.videoFrames >= 30 && c.audioFrames >= 50,
      );
      const firstVideo = frames.find((f) => f.kind === 'video')!;
      assert.equal(firstVideo.keyframe, true, 'the play starts on a key frame');
      assert.deepEqual(vp8Size(firstVideo.data), { width: 640, height: 480 });
      assert.equal(sink.counts.incompleteFrames, 0);
      // Opus from Chromium: every packet has a TOC byte and a plausible size.
      const audio = frames.filter((f) => f.kind === 'audio');
      assert.ok(audio.every((f) => f.data.length > 0 && f.data.length < 1500));

      const cameraStates: string[] = [];
      listener.on('remoteCameraStatusUpdate', (id, state) => id === pageStream && cameraStates.push(state));
      await publisher.page.evaluate(() => {
        const w = window as unknown as {
          zg: { mutePublishStreamVideo(s: unknown, mute: boolean): boolean };
          local: unknown;
        };
        if (!w.zg.mutePublishStreamVideo(w.local, true)) throw new Error('mute refused');
      });
      await until(
        'Node to see the camera muted',
        () => cameraStates,
        (s) => s.includes('MUTE'),
      );
      listener.stopPlayingStream(pageStream);
      assert.deepEqual(publisher.errors, []);
      await publisher.close();
    });
  });
}
