/**
 * Chromium inside the network lab, behind the firewall that drops all UDP and passes only TCP to the server's
 * HTTPS port and coturn's TLS port: it loads a page over HTTPS (a throw-away certificate, trusted by its key
 * hash alone) and reaches a werift peer on the server host through coturn over TLS. This is the ground the
 * end-to-end tests of the demo stand on. Runs as root in a loopback-only namespace (`unshare -n`), like every
 * lab test; see packages/server/test/support/netlab.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { turnCredentials } from '@parley/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import type * as Lab from '../../server/test/support/netlab/index.js';
import { CHROMIUM_ARGS, chromiumPath } from './support/browser.js';

// The lab is the server package's test support: its types come from the source, its code from the build (this
// compiled file sits one folder deeper than its source, in dist/test).
const LAB_DIR = new URL('../../../server/dist/test/support/netlab/', import.meta.url);
const lab$: typeof Lab = await import(new URL('index.js', LAB_DIR).href);
const HTTPS_PAGE = fileURLToPath(new URL('httpsPage.js', LAB_DIR));

const SECRET = 'netlab-chromium-secret';
const HTTPS_PORT = 443;
const TURN_TLS_PORT = 5349;

/** In the page: a relay-only connection with a data channel; resolves with the complete offer. */
function offerFromPage(page: Page, iceServer: Lab.TurnIceServer): Promise<string> {
  return page.evaluate(async (server) => {
    const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
    const messages: string[] = [];
    Object.assign(window, { lab: { pc, messages } });
    const channel = pc.createDataChannel('lab');
    channel.onopen = () => channel.send('ping from offerer');
    channel.onmessage = (e) => messages.push(String(e.data));
    const gathered = new Promise<void>((resolve) => {
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered;
    return pc.localDescription?.sdp ?? '';
  }, iceServer);
}

/** In the page: the selected pair's local candidate, once the data channel has heard back. */
function selectedLocalCandidate(page: Page) {
  return page.evaluate(async () => {
    const { pc, messages } = (window as unknown as { lab: { pc: RTCPeerConnection; messages: string[] } })
      .lab;
    while (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const stats = [...(await pc.getStats()).values()];
    const transport = stats.find((s) => s.type === 'transport');
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair?.localCandidateId);
    return { messages, candidateType: local?.candidateType, relayProtocol: local?.relayProtocol };
  });
}

const skip = lab$.labSkip(['turnserver', 'openssl']) || (chromiumPath() === null && 'no Chromium installed');

describe('Chromium in the lab, behind the UDP-dropping firewall', { skip }, () => {
  let lab: Lab.NetLab;
  let coturn: Lab.Coturn;
  let browser: Browser | undefined;

  before(async () => {
    lab = await lab$.NetLab.create({ firewallTcpPorts: [HTTPS_PORT, TURN_TLS_PORT] });
    coturn = await lab$.Coturn.start(lab, { secret: SECRET, tlsPort: TURN_TLS_PORT });
  });

  after(async () => {
    await browser?.close();
    await coturn?.close();
    await lab?.close();
  });

  it('loads a page over HTTPS and connects through coturn over TLS (relay, relayProtocol tls)', async () => {
    const { certFile, keyFile, spkiSha256 } = coturn.certificate;
    const server = lab.address('server');
    const site = lab.spawn('server', process.execPath, [
      HTTPS_PAGE,
      server,
      String(HTTPS_PORT),
      certFile,
      keyFile,
    ]);
    const requests = new lab$.JsonLines(site, 'HTTPS page');
    await requests.untilField('event', 'listening');

    const executablePath = await lab.executableIn('firewalled', chromiumPath()!);
    browser = await chromium.launch({
      executablePath,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiSha256}`],
    });
    const page = await browser.newPage();
    const response = await page.goto(`https://${server}/`);
    assert.equal(response?.status(), 200);
    const request = await requests.untilField('event', 'request');
    assert.match(String(request['from']), new RegExp(`^${lab.address('fwRouter')}:`), 'through the firewall');

    const { username, credential } = turnCredentials(SECRET, 'chromium', 600);
    const answerer = lab$.LabPeer.start(lab, 'server', { role: 'answerer', iceServers: [] });
    try {
      const offer = await offerFromPage(page, coturn.iceServer('tls', username, credential));
      assert.match(offer, / typ relay /);
      answerer.send({ type: 'description', sdp: offer });
      const answer = await answerer.out.untilField('event', 'description');
      await page.evaluate(async (sdp) => {
        const { pc } = (window as unknown as { lab: { pc: RTCPeerConnection } }).lab;
        await pc.setRemoteDescription({ type: 'answer', sdp });
      }, String(answer['sdp']));
      await answerer.out.untilField('data', 'ping from offerer');
      const selected = await selectedLocalCandidate(page);
      assert.deepEqual(selected, {
        messages: ['pong: ping from offerer'],
        candidateType: 'relay',
        relayProtocol: 'tls',
      });
    } finally {
      await answerer.close();
    }
  });
});
