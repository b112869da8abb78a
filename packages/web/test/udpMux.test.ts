/**
 * The SFU's one media port with Chromium peers: a publisher page and a page playing the stream on two peer
 * connections at once (two players of one browser, one address, ports of their own) all reach the server on
 * the same UDP port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '@parley/server';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, receivedMedia, skipWithoutBrowser } from './support/browser.js';
import { startTestServer, TEST_PAGES_DIR, unique, until } from './support/fixtures.js';
import { openSdkPage } from './support/sdkPage.js';

type Zg = Record<string, (...args: unknown[]) => unknown>;

/** For each open connection of the page: the STUN URLs it was given and its selected pair's remote port. */
function pagePorts(page: Page): Promise<{ stun: string[]; remotePort: number | null }[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter(
      (pc) => pc.connectionState === 'connected',
    );
    return Promise.all(
      pcs.map(async (pc) => {
        const stats = [...(await pc.getStats()).values()];
        const transport = stats.find((s) => s.type === 'transport');
        const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
        const remote = stats.find((s) => s.id === pair?.remoteCandidateId);
        const stun = (pc.getConfiguration().iceServers ?? [])
          .flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]))
          .filter((u) => u.startsWith('stun:'));
        return { stun, remotePort: typeof remote?.port === 'number' ? remote.port : null };
      }),
    );
  });
}

describe('the SFU’s one media port, with Chromium', { skip: skipWithoutBrowser() }, () => {
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

  it('two publishers and two players of one browser all use the one media port', async () => {
    const roomID = unique('room');
    const pub = await openSdkPage(browser, server, unique('pub'), roomID);
    const sub = await openSdkPage(browser, server, unique('sub'), roomID);
    const streamIDs = [unique('a'), unique('b')];
    try {
      await pub.page.evaluate(async (streamIDs) => {
        const zg = (window as unknown as { zg: Zg }).zg;
        for (const id of streamIDs) zg.startPublishingStream!(id, await zg.createZegoStream!());
      }, streamIDs);
      await sub.page.evaluate(async (streamIDs) => {
        const zg = (window as unknown as { zg: Zg }).zg;
        for (const id of streamIDs) {
          const video = document.createElement('video');
          video.srcObject = (await zg.startPlayingStream!(id)) as MediaStream;
          video.autoplay = true;
          document.body.append(video);
        }
      }, streamIDs);
      await until(
        'frames decoded on both players',
        () => receivedMedia(sub.page),
        (m) => m.framesDecoded > 40,
      );
      const connections = [
        ...(await until(
          'the publisher’s two connections',
          () => pagePorts(pub.page),
          (c) => c.length === 2,
        )),
        ...(await until(
          'the player’s two connections',
          () => pagePorts(sub.page),
          (c) => c.length === 2,
        )),
      ];
      const stunPort = Number(/:(\d+)$/.exec(connections[0]!.stun[0] ?? '')?.[1]);
      const mediaPort = connections[0]!.remotePort;
      assert.ok(typeof mediaPort === 'number' && mediaPort > 0, 'a selected pair');
      assert.deepEqual(
        connections.map((c) => c.remotePort),
        [mediaPort, mediaPort, mediaPort, mediaPort],
        'every connection reaches the server on its one media port',
      );
      // The STUN server stays on a port of its own: libwebrtc takes whatever comes from it for STUN.
      assert.notEqual(mediaPort, stunPort);
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
