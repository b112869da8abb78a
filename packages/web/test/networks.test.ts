/**
 * Real networks: the demo page in Chromium calls a Node SDK user across the network lab's topologies — one link,
 * a masquerading NAT, a firewall that drops all UDP and passes only TCP to Parley's HTTPS port and coturn's TLS
 * port. `parley serve` (HTTPS, WSS, a throw-away certificate made with openssl) and coturn run in the lab's
 * server host; Chromium loads the demo from it in one client host, the Node user runs in another. Each case
 * checks media both ways and the selected candidate pairs the browser (and werift) report, and prints the time
 * to first frame on each side. A Parley whose TURN secret is not coturn's must warn and still connect directly.
 *
 * Runs as root in a loopback-only namespace (`unshare -n`, as CI runs `npm test`); see
 * packages/server/test/support/netlab. Elsewhere it skips, or fails under PARLEY_REQUIRE_ALL_TESTS=1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type * as Lab from '../../server/test/support/netlab/index.js';
import { DemoInLab } from './networks/demoInLab.js';
import { NodeUserInLab } from './networks/NodeUserInLab.js';
import { ParleyInLab } from './networks/parleyInLab.js';
import type { SelectedPair, SidePairs } from './networks/selectedPair.js';
import { chromiumPath } from './support/browser.js';
import { APP, token, unique } from './support/fixtures.js';

const LAB_DIR = new URL('../../../server/dist/test/support/netlab/', import.meta.url);
const lab$: typeof Lab = await import(new URL('index.js', LAB_DIR).href);

const TURN_SECRET = 'networks-turn-secret';
const HTTPS_PORT = 443;
const TURN_TLS_PORT = 5349;
/** Generous bounds: a call connects in a few seconds here; these only turn a hang into a clear failure. */
const MEDIA_TIMEOUT_MS = 30_000;

const skip = lab$.labSkip(['turnserver', 'openssl']) || (chromiumPath() === null && 'no Chromium installed');

/** What one call showed. */
interface CallResult {
  page: SidePairs;
  node: SidePairs;
  pageFirstFrameMs: number | null;
  nodeFirstFrameMs: number;
  demo: DemoInLab;
  user: NodeUserInLab;
}

const describePair = (p: SelectedPair | null) =>
  p === null
    ? 'none'
    : `${p.local.candidateType}${p.local.relayProtocol ? `(${p.local.relayProtocol})` : ''} ` +
      `${p.local.address} → ${p.remote.candidateType} ${p.remote.address}:${p.remote.port}`;

describe('real networks: the demo in Chromium calls a Node SDK user', { skip }, () => {
  let lab: Lab.NetLab;
  let coturn: Lab.Coturn;
  let parley: ParleyInLab;
  let certDir: string;
  let certificate: Lab.LabCertificate;
  const opened: { close(): Promise<void> }[] = [];

  /** The TURN servers Parley offers, TLS first: the Node SDK takes the first URL only. */
  const turnUrls = () => {
    const at = lab.address('server');
    return [
      `turns:${at}:${TURN_TLS_PORT}?transport=tcp`,
      `turn:${at}:3478?transport=udp`,
      `turn:${at}:3478?transport=tcp`,
    ];
  };

  before(async () => {
    lab = await lab$.NetLab.create({ firewallTcpPorts: [HTTPS_PORT, TURN_TLS_PORT] });
    certDir = await mkdtemp(join(tmpdir(), 'parley-networks-cert-'));
    [coturn, certificate] = await Promise.all([
      lab$.Coturn.start(lab, { secret: TURN_SECRET, tlsPort: TURN_TLS_PORT }),
      lab$.makeCertificate(certDir, [lab.address('server')]),
    ]);
    parley = await ParleyInLab.start(lab, lab$, {
      port: HTTPS_PORT,
      certificate,
      turnUrls: turnUrls(),
      turnSecret: TURN_SECRET,
    });
  });

  after(async () => {
    for (const item of opened.reverse()) await item.close().catch(() => {});
    await parley?.close();
    await coturn?.close();
    await lab?.close();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  /**
   * The demo page in `pageHost` and a Node user in `nodeHost` join one room through `server`; resolves once each
   * has received enough of the other's video and audio, with what their connections selected.
   */
  async function call(pageHost: Lab.HostName, nodeHost: Lab.HostName, server = parley): Promise<CallResult> {
    const roomID = unique('net-room');
    const pageUser = unique(`page-${pageHost}`);
    const nodeUser = unique(`node-${nodeHost}`);
    const nodeStream = `${nodeUser}-cam`;
    const demo = await DemoInLab.open(lab, pageHost, server.httpsUrl, [certificate, coturn.certificate]);
    opened.push(demo);
    const user = NodeUserInLab.start(
      lab,
      lab$,
      nodeHost,
      {
        wsUrl: server.wsUrl,
        appID: APP.appID,
        roomID,
        userID: nodeUser,
        token: token(nodeUser),
        streamID: nodeStream,
        playStreamID: `${pageUser}-main`,
      },
      certificate.certFile,
    );
    opened.push(user);
    await demo.join({ appID: APP.appID, roomID, userID: pageUser, token: token(pageUser) });
    const failure = async (error: unknown) =>
      new Error(`${String(error)}\ndemo log:\n${await demo.logText()}\nconsole:\n${demo.console.join('\n')}`);
    try {
      await Promise.all([
        demo.untilMediaFlows(MEDIA_TIMEOUT_MS),
        user.untilEvent('received', MEDIA_TIMEOUT_MS),
      ]);
    } catch (error) {
      throw await failure(error);
    }
    const nodeFirstFrame = await user.untilEvent('firstFrame');
    return {
      page: await demo.pairs(),
      node: await user.pairs(),
      pageFirstFrameMs: await demo.timeToFirstFrame(nodeStream),
      nodeFirstFrameMs: Number(nodeFirstFrame['ms']),
      demo,
      user,
    };
  }

  /** Prints what a call selected and how fast the first frames came. */
  function report(t: TestContext, result: CallResult): void {
    t.diagnostic(`page publish: ${describePair(result.page.publish)}`);
    t.diagnostic(`page play:    ${describePair(result.page.play)}`);
    t.diagnostic(`node publish: ${describePair(result.node.publish)}`);
    t.diagnostic(`node play:    ${describePair(result.node.play)}`);
    t.diagnostic(
      `time to first frame: page ${result.pageFirstFrameMs} ms, node ${result.nodeFirstFrameMs} ms (from startPlayingStream)`,
    );
  }

  /**
   * Both connections of one side selected a pair whose local candidate is one of `local` types at
   * `localAddress` and whose remote candidate is one of `remote` types, and carried media on it.
   */
  function assertPairs(
    side: string,
    pairs: SidePairs,
    expected: {
      local: readonly string[];
      localAddress: string;
      remote: readonly string[];
      remoteAddress: string;
    },
  ): void {
    for (const role of ['publish', 'play'] as const) {
      const pair = pairs[role];
      assert.ok(pair, `${side}'s ${role} connection has a selected pair`);
      const what = `${side} ${role}: ${describePair(pair)}`;
      assert.ok(expected.local.includes(pair.local.candidateType), what);
      assert.equal(pair.local.address, expected.localAddress, what);
      assert.ok(expected.remote.includes(pair.remote.candidateType), what);
      assert.equal(pair.remote.address, expected.remoteAddress, what);
      assert.ok(pair.bytesReceived > 0 && pair.bytesSent > 0, `${what}: media on the selected pair`);
    }
  }

  it('on one link: the page (lan) and the SFU pair host candidates; the Node user is behind the NAT', async (t) => {
    const result = await call('lan', 'natted');
    report(t, result);
    const server = lab.address('server');
    assertPairs('the page', result.page, {
      local: ['host'],
      localAddress: lab.address('lan'),
      remote: ['host'],
      remoteAddress: server,
    });
    // werift pairs its private host candidate: the SFU answers the router's mapping (peer-reflexive to it).
    assertPairs('the Node user', result.node, {
      local: ['host'],
      localAddress: lab.address('natted'),
      remote: ['host'],
      remoteAddress: server,
    });
    await result.user.close();
    await result.demo.close();
  });

  it("behind the NAT: the page (natted) sends from the router's mapping; the Node user is on the link", async (t) => {
    const result = await call('natted', 'lan');
    report(t, result);
    const server = lab.address('server');
    // Chromium learns its mapping from the server's STUN (srflx) or from the SFU's answers (prflx).
    assertPairs('the page', result.page, {
      local: ['srflx', 'prflx'],
      localAddress: lab.address('natRouter'),
      remote: ['host'],
      remoteAddress: server,
    });
    assertPairs('the Node user', result.node, {
      local: ['host'],
      localAddress: lab.address('lan'),
      remote: ['host'],
      remoteAddress: server,
    });
    await result.user.close();
    await result.demo.close();
  });
});
