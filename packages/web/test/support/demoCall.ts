/**
 * Two Chromium pages call each other through the demo page (served by one server, or each by its own node), exactly as a person would: fill the form (one takes
 * a development token with the button, the other lets Join fetch one), Join, see and hear each other, mute,
 * End. A screenshot of the call is saved to artifacts/demo-call.png (git-ignored) for people to look at.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '@parley/server';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage, receivedMedia, skipWithoutBrowser } from './browser.js';
import { unique, until } from './fixtures.js';

/** The repository's artifacts folder (git-ignored): test output for people to look at. */
const ARTIFACTS = fileURLToPath(new URL('../../../../../artifacts/', import.meta.url));

const stateOf = (page: Page) => page.evaluate(() => document.body.dataset['state']);
const tile = (streamID: string) => `#remotes [data-stream-id="${streamID}"]`;

/** The servers of a demo call: the one Ann's page comes from and the one Bob's comes from (the same, or two nodes). */
export interface DemoServers {
  ann: RunningServer;
  bob: RunningServer;
  close(): Promise<void>;
}

/** The demo call, on one server or with each page on its own node of a cluster. */
export function describeDemoCall(
  title: string,
  start: () => Promise<DemoServers>,
  skip: string | false,
): void {
  describe(title, { skip: skip || skipWithoutBrowser() }, () => {
    let servers: DemoServers;
    let browser: Browser;

    before(async () => {
      servers = await start();
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await servers?.close();
    });

    it('join, see and hear each other, mute, end; the other side sees the stream go', async () => {
      const roomID = unique('room');
      const ann = await newPage(browser);
      const bob = await newPage(browser);
      const users = [
        { ...ann, userID: unique('ann'), server: servers.ann },
        { ...bob, userID: unique('bob'), server: servers.bob },
      ];
      for (const { page, userID, server } of users) {
        await page.goto(`${server.httpUrl}/`);
        await until(
          'the page to be ready',
          () => stateOf(page),
          (s) => s === 'idle',
        );
        // The development app's AppID is prefilled from the server.
        assert.equal(
          await page.inputValue('#appID'),
          String((await (await fetch(`${server.httpUrl}/dev/app`)).json()).appID),
        );
        await page.fill('#roomID', roomID);
        await page.fill('#userID', userID);
      }
      // Ann asks for a token with the button; Bob leaves the field empty and Join fetches one.
      await ann.page.click('#getToken');
      await until(
        'a development token',
        () => ann.page.inputValue('#token'),
        (t) => t.startsWith('04'),
      );
      for (const { page } of users) await page.click('#join');
      for (const { page } of users)
        await until(
          'the call',
          () => stateOf(page),
          (s) => s === 'in-call',
        );

      const [annStream, bobStream] = users.map((u) => `${u.userID}-main`);
      await ann.page.waitForSelector(`${tile(bobStream!)} video`);
      await bob.page.waitForSelector(`${tile(annStream!)} video`);
      // Both decode the other's video and hear the other's (fake) microphone; the counters keep rising.
      for (const { page } of users) {
        const first = await until(
          'video and audio from the other side',
          () => receivedMedia(page),
          (m) => m.framesDecoded > 10 && m.audioPacketsReceived > 50 && m.totalAudioEnergy > 0,
        );
        await until(
          'more frames',
          () => receivedMedia(page),
          (m) => m.framesDecoded > first.framesDecoded + 10,
        );
        assert.equal(first.frameWidth, 640);
      }
      // The quality overlay shows measured figures (after the first 3 s report) and the log shows the events.
      await until(
        'the quality overlay',
        () => ann.page.textContent(`${tile(bobStream!)} .quality`),
        (t) => /[1-9]\d* kbps/.test(t ?? ''),
      );
      const log = (await ann.page.textContent('#log')) ?? '';
      for (const event of [
        'roomStateChanged',
        'roomStreamUpdate',
        'publisherStateUpdate',
        'playerStateUpdate',
      ]) {
        assert.ok(log.includes(event), `${event} in the log`);
      }
      await mkdir(ARTIFACTS, { recursive: true });
      await ann.page.screenshot({ path: `${ARTIFACTS}demo-call.png`, fullPage: true });

      // Bob mutes his camera: Ann's tile of Bob shows the camera off.
      await bob.page.click('#muteCam');
      assert.equal(await bob.page.getAttribute('#muteCam', 'aria-pressed'), 'true');
      await ann.page.waitForSelector(`${tile(bobStream!)}[data-cam="off"]`);

      // Bob ends the call: he is back at the form, and Bob's tile leaves Ann's grid.
      await bob.page.click('#end');
      await until(
        'Bob back at the form',
        () => stateOf(bob.page),
        (s) => s === 'idle',
      );
      await ann.page.waitForSelector(tile(bobStream!), { state: 'detached' });
      assert.equal(await ann.page.locator('#remotes [data-stream-id]').count(), 0);
      assert.equal(await stateOf(ann.page), 'in-call');
      await ann.page.click('#end');
      await until(
        'Ann back at the form',
        () => stateOf(ann.page),
        (s) => s === 'idle',
      );
      for (const server of new Set([servers.ann, servers.bob])) {
        await until(
          'the servers to release everything',
          async () => (await (await fetch(`${server.httpUrl}/healthz`)).json()) as Record<string, number>,
          (h) => h['sessions'] === 0 && h['mediaTransports'] === 0,
        );
      }
      assert.deepEqual([...ann.errors, ...bob.errors], []);
      for (const { page } of users) await page.context().close();
    });
  });
}
