/**
 * Debian's Chromium driven by playwright-core, with fake camera and microphone, for the end-to-end tests.
 * Where no Chromium is installed the browser tests skip — unless PARLEY_REQUIRE_ALL_TESTS=1 (CI), where a
 * missing browser fails them. PARLEY_CHROMIUM overrides the executable.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The flags that make Chromium work headless in a loopback-only namespace with fake devices. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/** The Chromium executable, or null if there is none. */
export function chromiumPath(): string | null {
  const configured = process.env['PARLEY_CHROMIUM'];
  if (configured) return configured;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * The `skip` option for a browser test: false (run) when Chromium is there; a reason when it is not, except
 * that with PARLEY_REQUIRE_ALL_TESTS=1 it is false too, so the test runs and fails on the missing browser.
 */
export function skipWithoutBrowser(): false | string {
  if (chromiumPath() !== null || process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1') return false;
  return 'no Chromium installed (apt-get install -y chromium); CI requires it';
}

/** Launches Chromium; fails with the way to fix it when there is none. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  assert.ok(executablePath, 'Chromium is required but not installed: apt-get install -y chromium');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Script run in every page before its own: keeps every RTCPeerConnection the page makes, so a test can read
 * what the browser itself measured (`getStats()`) without the SDK exposing its connections.
 */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  } as typeof RTCPeerConnection;
}

/** A fresh browser context (its own storage) whose pages record their peer connections and forward errors. */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addInitScript(recordPeerConnections);
  return context;
}

/**
 * A page of a new context; page errors, console errors and failed requests (but the favicon) are kept in
 * `errors` for the test to check.
 */
export async function newPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Failed requests are reported below with their URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      errors.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico')
      errors.push(`http ${res.status()}: ${res.url()}`);
  });
  return { page, errors };
}

/** What the browser measured for the media it received, summed over the page's connections. */
export interface ReceivedMedia {
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
  totalAudioEnergy: number;
}

/** Reads the page's inbound-rtp stats (all connections). */
export function receivedMedia(page: Page): Promise<ReceivedMedia> {
  return page.evaluate(async () => {
    const out = { framesDecoded: 0, frameWidth: 0, audioPacketsReceived: 0, totalAudioEnergy: 0 };
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of (await pc.getStats()).values()) {
        if (s.type !== 'inbound-rtp') continue;
        if (s.kind === 'video') {
          out.framesDecoded += s.framesDecoded ?? 0;
          out.frameWidth = Math.max(out.frameWidth, s.frameWidth ?? 0);
        } else if (s.kind === 'audio') {
          out.audioPacketsReceived += s.packetsReceived ?? 0;
          out.totalAudioEnergy += s.totalAudioEnergy ?? 0;
        }
      }
    }
    return out;
  });
}
