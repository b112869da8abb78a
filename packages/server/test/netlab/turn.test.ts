/**
 * TURN through Debian's coturn in the lab, with the TURN REST API credentials the server signs: relay-only
 * werift peers behind the NAT router and behind the UDP-dropping firewall reach a werift peer on the server
 * host through coturn, over UDP, TCP and TLS; a wrong secret and expired credentials are refused; coturn relays
 * only to the server host's address. Runs as root in a loopback-only namespace (see lab.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { turnCredentials } from '../../src/index.js';
import { Coturn, type TurnTransport } from '../support/netlab/Coturn.js';
import { labSkip } from '../support/netlab/isolation.js';
import { allocateRelay, LabPeer } from '../support/netlab/LabPeer.js';
import { NetLab } from '../support/netlab/NetLab.js';
import type { HostName } from '../support/netlab/topology.js';

const SECRET = 'netlab-turn-secret-0123456789';
const HTTPS_PORT = 443;
const TURN_TLS_PORT = 5349;

describe('TURN through coturn in the lab', { skip: labSkip(['turnserver', 'openssl']) }, () => {
  let lab: NetLab;
  let coturn: Coturn;

  before(async () => {
    lab = await NetLab.create({ firewallTcpPorts: [HTTPS_PORT, TURN_TLS_PORT] });
    coturn = await Coturn.start(lab, { secret: SECRET, tlsPort: TURN_TLS_PORT });
  });

  after(async () => {
    await coturn?.close();
    await lab?.close();
  });

  /** The established TCP connections on the server host to any of `ports`, as local and peer endpoints. */
  async function tcpConnectionsTo(...ports: number[]) {
    const filter = `( ${ports.map((p) => `sport = :${p}`).join(' or ')} )`;
    const { stdout } = await lab.exec('server', 'ss', ['-Htn', 'state', 'established', filter]);
    return stdout
      .trim()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [, , local = '', peer = ''] = line.trim().split(/\s+/);
        return { local, peer };
      });
  }

  /** Starts a relay-only offerer in `host` that reaches coturn over `transport`, and an answerer in `to`. */
  async function call(host: HostName, transport: TurnTransport, to: HostName = 'server') {
    const userID = `${host}-${transport}-${to}`;
    const { username, credential } = turnCredentials(SECRET, userID, 600);
    const answerer = LabPeer.start(lab, to, { role: 'answerer', iceServers: [] });
    const offerer = LabPeer.start(lab, host, {
      role: 'offerer',
      iceServers: [coturn.iceServer(transport, username, credential)],
      iceTransportPolicy: 'relay',
      turnCa: coturn.certificate.cert,
    });
    return {
      username,
      answerer,
      offerer,
      close: () => Promise.all([offerer.close(), answerer.close()]),
    };
  }

  for (const [host, transport] of [
    ['natted', 'udp'],
    ['natted', 'tcp'],
    ['firewalled', 'tls'],
  ] as const) {
    it(`from ${host} over ${transport}: relay candidates only, data both ways`, async () => {
      const { username, answerer, offerer, close } = await call(host, transport);
      try {
        await LabPeer.negotiate(offerer, answerer);
        const gathered = await offerer.out.untilField('event', 'candidates');
        assert.deepEqual(gathered['types'], ['relay']);
        const { pair } = (await offerer.out.untilField('event', 'connected')) as {
          pair: Record<string, string>;
        };
        assert.equal(pair['localType'], 'relay');
        assert.match(
          pair['local']!,
          new RegExp(`^${lab.address('server')}:`),
          'coturn relays from the server host',
        );
        assert.equal(pair['remoteType'], 'host');
        assert.match(pair['remote']!, new RegExp(`^${lab.address('server')}:`));
        await answerer.out.untilField('data', 'ping from offerer');
        await offerer.out.untilField('data', 'pong: ping from offerer');
        // How the client reached coturn: the server host's TCP connections to coturn's ports, from the router.
        const router = lab.address(host === 'natted' ? 'natRouter' : 'fwRouter');
        const connections = await tcpConnectionsTo(coturn.port, coturn.tlsPort);
        const fromRouter = connections.filter((c) => c.peer.startsWith(`${router}:`)).map((c) => c.local);
        if (transport === 'udp') assert.deepEqual(fromRouter, [], 'UDP: no TCP connection to coturn');
        else {
          const port = transport === 'tcp' ? coturn.port : coturn.tlsPort;
          assert.deepEqual(fromRouter, [`${lab.address('server')}:${port}`]);
        }
        if (transport === 'tls')
          assert.match(
            await coturn.untilLog(new RegExp(`username=<${username}>.*method=`)),
            /method=TLSv1\.[23]/,
          );
      } finally {
        await close();
      }
    });
  }

  it('relays only to the server host: a permission for a peer on the LAN client is refused (403)', async () => {
    const { username, answerer, offerer, close } = await call('natted', 'tcp', 'lan');
    try {
      await LabPeer.negotiate(offerer, answerer);
      await coturn.untilLog(
        new RegExp(`user <${username}>: incoming packet CREATE_PERMISSION processed, error 403`),
      );
      assert.ok(!offerer.out.lines.some((line) => line['event'] === 'connected'));
    } finally {
      await close();
    }
  });

  it('refuses a wrong secret and expired credentials (coturn answers 401)', async () => {
    const allocate = (username: string, credential: string) =>
      allocateRelay(lab, 'natted', {
        url: coturn.iceServer('tcp', username, credential).urls,
        username,
        credential,
      });
    const good = turnCredentials(SECRET, 'good', 600);
    const wrong = turnCredentials('not-the-secret', 'mallory', 600);
    const expired = turnCredentials(SECRET, 'late', 60, Date.now() - 3600_000);
    const tls = turnCredentials(SECRET, 'tls', 600);
    const [allocated, refused, stale, overTls] = await Promise.all([
      allocate(good.username, good.credential),
      allocate(wrong.username, wrong.credential),
      allocate(expired.username, expired.credential),
      // The TLS port answers the same way (the firewalled client's only way to coturn).
      allocateRelay(lab, 'firewalled', {
        url: coturn.iceServer('tls', tls.username, tls.credential).urls,
        username: tls.username,
        credential: tls.credential,
        ca: coturn.certificate.cert,
      }),
    ]);
    assert.equal(allocated['event'], 'allocated');
    assert.equal((allocated['relayed'] as string[])[0], lab.address('server'));
    assert.deepEqual(refused, { event: 'refused', error: '401 Unauthorized' });
    assert.deepEqual(stale, { event: 'refused', error: '401 Unauthorized' });
    assert.equal(overTls['event'], 'allocated');
    await coturn.untilLog(new RegExp(`user <${wrong.username}>: incoming packet .* error 401: Unauthorized`));
    await coturn.untilLog(
      new RegExp(`user <${expired.username}>: incoming packet .* error 401: Unauthorized`),
    );
  });
});
