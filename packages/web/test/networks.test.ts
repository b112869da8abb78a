/**
 * Real networks: the demo page in Chromium calls a Node SDK user across the network lab's topologies — one link,
 * a masquerading NAT, a firewall that drops all UDP and passes only TCP to Parley's HTTPS port and coturn's TLS
 * port. `parley serve` (HTTPS, WSS, a throw-away certificate made with openssl) and coturn run in the lab's
 * server host; Chromium loads the demo from it in one client host, the Node user runs in another. Each case
 * checks media both ways and the selected candidate pairs the browser and werift report (each must carry its
 * media), and prints the time to first frame on each side. Behind the firewall each SDK must reach relay by
 * itself: the page at once (it gathers TURN candidates from the start), the Node user after its direct try
 * fails. With a Parley whose TURN secret is not coturn's, media must still go directly, the Node SDK must warn,
 * and a page that needs TURN (behind the firewall) must warn.
 *
 * Runs as root in a loopback-only namespace (`unshare -n`, as CI runs `npm test`); see
 * packages/server/test/support/netlab. Elsewhere it skips, or fails under PARLEY_REQUIRE_ALL_TESTS=1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type * as Lab from '../../server/test/support/netlab/index.js';
import { DemoInLab } from './networks/demoInLab.js';
import { describeSelected, type PathExpectation, pairMismatch } from './networks/expectPairs.js';
import { NodeUserInLab } from './networks/NodeUserInLab.js';
import { ParleyInLab } from './networks/parleyInLab.js';
import type { SidePairs } from './networks/selectedPair.js';
import { chromiumPath } from './support/browser.js';
import { APP, token, unique, until } from './support/fixtures.js';

const LAB_DIR = new URL('../../../server/dist/test/support/netlab/', import.meta.url);
const lab$: typeof Lab = await import(new URL('index.js', LAB_DIR).href);

const TURN_SECRET = 'networks-turn-secret';
const HTTPS_PORT = 443;
/** A second Parley, whose TURN secret is not coturn's. */
const WRONG_SECRET_PORT = 8443;
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

describe('real networks: the demo in Chromium calls a Node SDK user', { skip }, () => {
  let lab: Lab.NetLab;
  let coturn: Lab.Coturn;
  let parley: ParleyInLab;
  let wrongSecretParley: ParleyInLab | undefined;
  let certDir: string;
  let certificate: Lab.LabCertificate;
  let trustFile: string;
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
    lab = await lab$.NetLab.create({ firewallTcpPorts: [HTTPS_PORT, WRONG_SECRET_PORT, TURN_TLS_PORT] });
    certDir = await mkdtemp(join(tmpdir(), 'parley-networks-cert-'));
    [coturn, certificate] = await Promise.all([
      lab$.Coturn.start(lab, { secret: TURN_SECRET, tlsPort: TURN_TLS_PORT }),
      lab$.makeCertificate(certDir, [lab.address('server')]),
    ]);
    // The Node users trust Parley's certificate and coturn's (for turns:), as an operator's machines would.
    trustFile = join(certDir, 'trusted.pem');
    await writeFile(trustFile, certificate.cert + coturn.certificate.cert);
    parley = await ParleyInLab.start(lab, lab$, {
      port: HTTPS_PORT,
      certificate,
      turnUrls: turnUrls(),
      turnSecret: TURN_SECRET,
    });
  });

  after(async () => {
    for (const item of opened.reverse()) await item.close().catch(() => {});
    await wrongSecretParley?.close();
    await parley?.close();
    await coturn?.close();
    await lab?.close();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  /**
   * The demo page in `pageHost` and a Node user in `nodeHost` join one room through `server`. Resolves once
   * each has received enough of the other's video and audio and the selected pairs of both match what their
   * paths should give (ICE may switch pairs after media starts: polled, with a bound that only turns a hang
   * into a failure that shows the last pairs seen).
   */
  async function call(
    hosts: { page: Lab.HostName; node: Lab.HostName },
    expected: { page: PathExpectation; node: PathExpectation },
    server = parley,
  ): Promise<CallResult> {
    const roomID = unique('net-room');
    const pageUser = unique(`page-${hosts.page}`);
    const nodeUser = unique(`node-${hosts.node}`);
    const nodeStream = `${nodeUser}-cam`;
    const demo = await DemoInLab.open(lab, hosts.page, server.httpsUrl, [certificate, coturn.certificate]);
    opened.push(demo);
    const user = NodeUserInLab.start(
      lab,
      lab$,
      hosts.node,
      {
        wsUrl: server.wsUrl,
        appID: APP.appID,
        roomID,
        userID: nodeUser,
        token: token(nodeUser),
        streamID: nodeStream,
        playStreamID: `${pageUser}-main`,
      },
      trustFile,
    );
    opened.push(user);
    try {
      await demo.join({ appID: APP.appID, roomID, userID: pageUser, token: token(pageUser) });
      await Promise.all([
        demo.untilMediaFlows(MEDIA_TIMEOUT_MS),
        user.untilEvent('received', MEDIA_TIMEOUT_MS),
      ]);
      const pairsOf = (side: string, read: () => Promise<SidePairs>, path: PathExpectation) =>
        until(
          `${side}'s selected pairs to be ${JSON.stringify(path)} and carry the media`,
          async () => {
            const pairs = await read();
            return { pairs, mismatch: pairMismatch(pairs, path) };
          },
          (seen) => seen.mismatch === null,
          MEDIA_TIMEOUT_MS,
        );
      const [page, node] = await Promise.all([
        pairsOf('the page', () => demo.pairs(), expected.page),
        pairsOf('the Node user', () => user.pairs(), expected.node),
      ]);
      const nodeFirstFrame = await user.out.until(
        (l) => l['event'] === 'firstFrame' && l['kind'] === 'video',
        'its first video frame',
      );
      return {
        page: page.pairs,
        node: node.pairs,
        pageFirstFrameMs: await demo.timeToFirstFrame(nodeStream),
        nodeFirstFrameMs: Number(nodeFirstFrame['ms']),
        demo,
        user,
      };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${why}\ndemo log:\n${await demo.logText()}\npage console:\n${demo.console.join('\n')}\n` +
          `Node user:\n${user.out.lines.map((l) => JSON.stringify(l)).join('\n')}\n${user.out.stderr}`,
      );
    }
  }

  /** Prints what a call selected and how fast the first frames came. */
  function report(t: TestContext, result: CallResult): void {
    t.diagnostic(`page publish: ${describeSelected(result.page.publish)}`);
    t.diagnostic(`page play:    ${describeSelected(result.page.play)}`);
    t.diagnostic(`node publish: ${describeSelected(result.node.publish)}`);
    t.diagnostic(`node play:    ${describeSelected(result.node.play)}`);
    t.diagnostic(
      `time to first video frame from startPlayingStream: page ${result.pageFirstFrameMs} ms, node ${result.nodeFirstFrameMs} ms`,
    );
  }

  /** Ends a call: the Node user logs out, the browser closes. */
  async function hangUp(result: CallResult): Promise<void> {
    await result.user.close();
    await result.demo.close();
  }

  /** Host candidates of `host` towards the SFU's host candidate. */
  const direct = (host: Lab.HostName): PathExpectation => ({
    local: ['host'],
    localAddress: lab.address(host),
    remote: ['host'],
    remoteAddress: lab.address('server'),
  });

  /**
   * Chromium behind the NAT: its local candidate is the router's mapping, learnt from the server's STUN
   * (srflx) or from the SFU's answers (prflx).
   */
  const throughNat = (): PathExpectation => ({
    local: ['srflx', 'prflx'],
    localAddress: lab.address('natRouter'),
    remote: ['host'],
    remoteAddress: lab.address('server'),
  });

  it('on one link: the page (lan) pairs host candidates with the SFU; the Node user is behind the NAT', async (t) => {
    // werift pairs its private host candidate; the SFU answers the router's mapping (peer-reflexive to it).
    const result = await call(
      { page: 'lan', node: 'natted' },
      { page: direct('lan'), node: direct('natted') },
    );
    report(t, result);
    await hangUp(result);
  });

  it("behind the NAT: the page (natted) sends from the router's mapping; the Node user is on the link", async (t) => {
    const result = await call({ page: 'natted', node: 'lan' }, { page: throughNat(), node: direct('lan') });
    report(t, result);
    await hangUp(result);
  });

  it('behind the firewall that drops UDP: the page (firewalled) relays through coturn over TLS by itself', async (t) => {
    const dropsBefore = await lab.firewallDrops();
    // The page is given every path (the SDK, not the page, chooses): only the relay over TLS gets through.
    const relayed: PathExpectation = {
      local: ['relay'],
      localAddress: coturn.address,
      relayProtocol: ['tls'],
      remote: ['host'],
      remoteAddress: lab.address('server'),
    };
    const result = await call({ page: 'firewalled', node: 'lan' }, { page: relayed, node: direct('lan') });
    report(t, result);
    const drops = await lab.firewallDrops();
    t.diagnostic(
      `dropped by the firewall during the call: ${drops.udp - dropsBefore.udp} UDP, ${drops.tcp - dropsBefore.tcp} TCP packets`,
    );
    assert.ok(drops.udp > dropsBefore.udp, 'the page tried UDP, and the firewall dropped it');
    await hangUp(result);
  });

  it('behind the firewall: the Node user (firewalled) relays through coturn over TLS once its direct try fails', async (t) => {
    const dropsBefore = await lab.firewallDrops();
    const relayed: PathExpectation = {
      local: ['relay'],
      localAddress: coturn.address,
      remote: ['host'],
      remoteAddress: lab.address('server'),
    };
    const result = await call({ page: 'lan', node: 'firewalled' }, { page: direct('lan'), node: relayed });
    report(t, result);
    const drops = await lab.firewallDrops();
    t.diagnostic(
      `dropped by the firewall during the call: ${drops.udp - dropsBefore.udp} UDP, ${drops.tcp - dropsBefore.tcp} TCP packets`,
    );
    assert.ok(drops.udp > dropsBefore.udp, 'the Node user tried UDP, and the firewall dropped it');
    // The SDK chose: its first connection tried the direct path, then the session went to relay only.
    assert.ok(
      result.user.logged('info').some((msg) => /direct media path failed.*relay only/.test(msg)),
      JSON.stringify(result.user.logged('info')),
    );
    await hangUp(result);
  });

  /** The second Parley, whose TURN secret is not coturn's (started by the first test that needs it). */
  async function wrongSecret(): Promise<ParleyInLab> {
    wrongSecretParley ??= await ParleyInLab.start(lab, lab$, {
      port: WRONG_SECRET_PORT,
      certificate,
      turnUrls: turnUrls(),
      turnSecret: `not-${TURN_SECRET}`,
    });
    return wrongSecretParley;
  }

  const refused = /the TURN server \S+ refused the credentials \(401\b.*turn\.secret/;

  it('with a TURN secret coturn does not share: media goes direct, and the Node SDK warns clearly', async (t) => {
    const result = await call(
      { page: 'natted', node: 'lan' },
      { page: throughNat(), node: direct('lan') },
      await wrongSecret(),
    );
    report(t, result);
    // The Node SDK asks the TURN server itself (turnProbe.ts), so it warns whichever path its media takes. The
    // page here need not: see the next test.
    const nodeWarning = await result.user.out.until(
      (l) => l['event'] === 'log' && l['level'] === 'warn' && refused.test(String(l['msg'])),
      'the Node SDK to warn about the refused TURN credentials',
    );
    t.diagnostic(`node warning: ${String(nodeWarning['msg'])}`);
    await hangUp(result);
  });

  it('with a TURN secret coturn does not share: a page that needs TURN warns clearly', async (t) => {
    // Chromium asks its TURN servers only while it gathers, and it stops gathering once a direct pair is
    // strongly connected (P2PTransportChannel::OnConnectionStateChange stops the port allocator sessions). A
    // page whose direct path connects before its relay step starts may never ask the TURN server, and then it
    // has nothing to warn about. Behind the firewall no direct pair connects: the page asks coturn over TLS (the
    // one TURN port the firewall lets through) and must say clearly why it gets no relay.
    const server = await wrongSecret();
    const demo = await DemoInLab.open(lab, 'firewalled', server.httpsUrl, [certificate, coturn.certificate]);
    opened.push(demo);
    const pageUser = unique('page-firewalled');
    await demo.join({
      appID: APP.appID,
      roomID: unique('net-room'),
      userID: pageUser,
      token: token(pageUser),
    });
    const pageWarning = await until(
      'the page to warn about the refused TURN credentials',
      () => demo.console.find((line) => line.startsWith('warning:') && refused.test(line)),
      (line) => line !== undefined,
    );
    t.diagnostic(`page ${pageWarning}`);
    assert.match(pageWarning ?? '', /turns:/, 'the refusal came over TLS, through the firewall');
    await demo.close();
  });
});
