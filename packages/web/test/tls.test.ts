/**
 * From another host, over HTTPS and WSS: Chromium reaches the server as `https://parley.test:<port>` (a name its
 * resolver maps to 127.0.0.1, so the page is not on `localhost` and is a secure context only thanks to TLS). The
 * server's certificate is signed by a throw-away CA; the browser contexts accept it (`ignoreHTTPSErrors`). Two
 * demo pages call each other, and seed 001 runs its whole flow, their SDKs signaling over `wss://`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '@parley/server';
import { makeTestCa, type TestCa } from '@parley/server/test/testCa';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage, receivedMedia, skipWithoutBrowser } from './support/browser.js';
import { APP, startTestServer, TEST_PAGES_DIR, token, unique, until } from './support/fixtures.js';
import { type Seen, seedPage } from './support/seedPage.js';

/** The host name the pages are loaded from: not localhost, resolved to 127.0.0.1 by Chromium alone. */
const HOST = 'parley.test';

/** A page of its own context that accepts the test CA's certificate, and the WebSocket addresses it opened. */
async function securePage(browser: Browser) {
  const { page, errors } = await newPage(browser, { ignoreHTTPSErrors: true });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  return { page, errors, sockets };
}

/** What a page says about where it runs. */
function placeOf(page: Page) {
  return page.evaluate(() => ({ origin: location.origin, secure: window.isSecureContext }));
}

describe('HTTPS and WSS from another host in Chromium', { skip: skipWithoutBrowser() }, () => {
  let ca: TestCa;
  let browser: Browser;
  let seedDir: string;
  const servers: RunningServer[] = [];

  /** The server's address as another host sees it. */
  const remote = (server: RunningServer) => server.httpUrl.replace('127.0.0.1', HOST);

  before(async () => {
    ca = await makeTestCa();
    seedDir = await mkdtemp(join(tmpdir(), 'parley-tls-seed-'));
    const seed = await readFile(join(TEST_PAGES_DIR, 'seed001.js'), 'utf8');
    await writeFile(join(seedDir, 'seed-module.html'), seedPage(seed, 'module'));
    browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
    await ca?.remove();
    if (seedDir) await rm(seedDir, { recursive: true, force: true });
  });

  async function tlsServer(web?: { demoDir: string }): Promise<RunningServer> {
    const server = await startTestServer({
      tls: { cert: ca.certFile, key: ca.keyFile },
      ...(web && { web }),
    });
    servers.push(server);
    assert.match(server.httpUrl, /^https:/);
    return server;
  }

  it('the demo page: two browsers join one call, see and hear each other', async () => {
    const server = await tlsServer();
    const roomID = unique('tls-room');
    const users = [
      { ...(await securePage(browser)), userID: unique('ann') },
      { ...(await securePage(browser)), userID: unique('bob') },
    ];
    for (const { page, userID } of users) {
      await page.goto(`${remote(server)}/`);
      assert.deepEqual(await placeOf(page), { origin: remote(server), secure: true });
      await until(
        'the page to be ready',
        () => page.evaluate(() => document.body.dataset['state']),
        (s) => s === 'idle',
      );
      await page.fill('#roomID', roomID);
      await page.fill('#userID', userID);
      await page.click('#join');
    }
    for (const { page, userID, sockets, errors } of users) {
      await until(
        `${userID} in the call`,
        () => page.evaluate(() => document.body.dataset['state']),
        (s) => s === 'in-call',
      );
      await until(
        `${userID} to see and hear the other`,
        () => receivedMedia(page),
        (m) => m.framesDecoded > 10 && m.audioPacketsReceived > 50,
      );
      assert.ok(sockets.length > 0 && sockets.every((url) => url.startsWith(`wss://${HOST}:`)), `${sockets}`);
      assert.deepEqual(
        errors.filter((e) => e.startsWith('pageerror')),
        [],
      );
    }
    for (const { page } of users) await page.context().close();
  });

  it('seed 001: login, publish, play and hear its own stream, stop', async () => {
    const server = await tlsServer({ demoDir: seedDir });
    const { page, errors, sockets } = await securePage(browser);
    const userID = unique('seed-user');
    const query = new URLSearchParams({
      appID: String(APP.appID),
      roomID: unique('seed-room'),
      userID,
      token: token(userID),
      streamID: unique('seed-stream'),
    });
    await page.goto(`${remote(server)}/seed-module.html?${query}`);
    assert.deepEqual(await placeOf(page), { origin: remote(server), secure: true });
    const seen = () => page.evaluate(() => (window as unknown as { __seed: Seen }).__seed);
    const inCall = await until('the seed to reach the call', seen, (s) => s.step === 'in call' || !!s.error);
    assert.equal(inCall.error, null);
    assert.equal(inCall.loginResult, true);
    assert.equal(inCall.capabilities?.['microphone'], true);
    await until(
      'its own audio back through the SFU',
      () => receivedMedia(page),
      (m) => m.audioPacketsReceived > 50 && m.totalAudioEnergy > 0,
    );
    await page.evaluate(() => (window as unknown as { __endCall: () => void }).__endCall());
    const ended = await until('the seed to end', seen, (s) => s.step === 'ended' || !!s.error);
    assert.equal(ended.error, null);
    assert.ok(sockets.length > 0 && sockets.every((url) => url.startsWith(`wss://${HOST}:`)), `${sockets}`);
    assert.deepEqual(
      errors.filter((e) => e.startsWith('pageerror')),
      [],
    );
    await page.context().close();
  });
});
