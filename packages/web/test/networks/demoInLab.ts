/**
 * Chromium in a network lab host with the demo page loaded over HTTPS, joined to a call as a person would:
 * fill the form (AppID, RoomID, UserID, a token), Join; the page publishes the fake camera and microphone and
 * plays every other stream of the room. The test reads what the browser itself measured: the received media
 * (inbound-rtp) and each connection's selected candidate pair, from the peer connections the page made (kept
 * by the init script of support/browser.ts), and the times in the demo's own event log.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import type * as Lab from '../../../server/test/support/netlab/index.js';
import {
  CHROMIUM_ARGS,
  chromiumPath,
  newContext,
  type ReceivedMedia,
  receivedMedia,
} from '../support/browser.js';
import { until } from '../support/fixtures.js';
import { type SidePairs, selectedPairOf } from './selectedPair.js';

export interface DemoUser {
  appID: number;
  roomID: string;
  userID: string;
  token: string;
}

const stateOf = (page: Page) => page.evaluate(() => document.body.dataset['state']);

export class DemoInLab {
  /** Page errors, console errors and warnings, in order. */
  readonly console: string[] = [];

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  /**
   * Launches Chromium in `host`, trusting exactly the given certificates (by their key hashes: Parley's HTTPS
   * and coturn's TLS port, which Chromium checks as well), and opens the demo page at `url`.
   */
  static async open(
    lab: Lab.NetLab,
    host: Lab.HostName,
    url: string,
    trusted: readonly Lab.LabCertificate[],
  ) {
    const browser = await chromium.launch({
      executablePath: await lab.executableIn(host, chromiumPath()!),
      args: [
        ...CHROMIUM_ARGS,
        `--ignore-certificate-errors-spki-list=${trusted.map((c) => c.spkiSha256).join(',')}`,
      ],
    });
    try {
      const page = await (await newContext(browser)).newPage();
      const demo = new DemoInLab(browser, page);
      page.on('pageerror', (err) => demo.console.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning')
          demo.console.push(`${msg.type()}: ${msg.text()}`);
      });
      const response = await page.goto(`${url}/`);
      if (response?.status() !== 200) throw new Error(`the demo page answered ${response?.status()}`);
      await until(
        'the demo page to be ready',
        () => stateOf(page),
        (s) => s === 'idle',
      );
      return demo;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Fills the form and joins; resolves once the page is in the call (logged in and publishing). */
  async join(user: DemoUser): Promise<void> {
    const { page } = this;
    await page.fill('#appID', String(user.appID));
    await page.fill('#roomID', user.roomID);
    await page.fill('#userID', user.userID);
    await page.fill('#token', user.token);
    await page.click('#join');
    await until(
      'the page to be in the call',
      () => stateOf(page),
      (s) => s === 'in-call' || s === 'error',
    );
    if ((await stateOf(page)) !== 'in-call') throw new Error(`the join failed: ${await this.logText()}`);
  }

  /** Waits until the page decodes video and hears audio from the other side, and both keep coming. */
  async untilMediaFlows(timeoutMs: number): Promise<ReceivedMedia> {
    const first = await until(
      'video decoded and audio heard in the page',
      () => receivedMedia(this.page),
      (m) => m.framesDecoded >= 20 && m.audioPacketsReceived >= 50 && m.totalAudioEnergy > 0,
      timeoutMs,
    );
    return until(
      'more frames decoded in the page',
      () => receivedMedia(this.page),
      (m) => m.framesDecoded >= first.framesDecoded + 5,
      timeoutMs,
    );
  }

  /** The selected pairs of the page's live publishing and playing connections (the newest of each). */
  async pairs(): Promise<SidePairs> {
    const reports = await this.page.evaluate(async () => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [];
      const out: { role: string; stats: Record<string, unknown>[] }[] = [];
      for (const pc of pcs) {
        if (pc.connectionState === 'closed') continue;
        const directions = pc.getTransceivers().map((t) => t.currentDirection ?? t.direction);
        const role = directions.includes('sendonly') ? 'publish' : 'play';
        const stats = [...(await pc.getStats()).values()].map((s) => JSON.parse(JSON.stringify(s)));
        out.push({ role, stats });
      }
      return out;
    });
    const newest = (role: string) => reports.filter((r) => r.role === role).at(-1);
    const pairOf = (role: string) => {
      const report = newest(role);
      return report === undefined ? null : selectedPairOf(report.stats);
    };
    return { publish: pairOf('publish'), play: pairOf('play') };
  }

  /**
   * Milliseconds from the page's `startPlayingStream(streamID)` to the SDK's `playerRecvVideoFirstFrame` for
   * it, from the timestamps of the demo's event log; null if either is missing.
   */
  async timeToFirstFrame(streamID: string): Promise<number | null> {
    return this.page.evaluate((id) => {
      const entries = [...document.querySelectorAll('#log .log-entry')].map((el) => ({
        name: el.querySelector('.log-name')?.textContent ?? '',
        args: el.querySelector('.log-args')?.textContent ?? '',
        at: Date.parse(el.querySelector('time')?.dateTime ?? ''),
      }));
      const quoted = JSON.stringify(id);
      const start = entries.find((e) => e.name === 'startPlayingStream' && e.args.includes(quoted));
      const first = entries.find((e) => e.name === 'playerRecvVideoFirstFrame' && e.args.includes(quoted));
      return start && first ? first.at - start.at : null;
    }, streamID);
  }

  /** The demo's event log as text, for failure messages. */
  logText(): Promise<string> {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('#log .log-entry')].map((el) => el.textContent).join('\n'),
    );
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
