/**
 * Pins what the UDP mux relies on in werift (see werift/udpMux/injection.ts, MuxTransport.ts, registerIce.ts),
 * so that a werift upgrade that changes any of it fails here, loudly, not in production.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { RTCPeerConnection, UdpTransport } from 'werift';
import { LOOPBACK_ICE, sfuPeerConfig } from '../../src/sfu/index.js';
import { UDP_MUX } from '../../src/sfu/werift/udpMux/injection.js';
import { MuxTransport } from '../../src/sfu/werift/udpMux/MuxTransport.js';
import { UdpMux } from '../../src/sfu/werift/udpMux/UdpMux.js';

interface ConnectionShape {
  localUsername: unknown;
  localPassword: unknown;
  userHistory: unknown;
  protocols: Array<{ transport: unknown; localCandidate?: { port: number } }>;
}

function connectionOf(pc: RTCPeerConnection): ConnectionShape {
  return pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as ConnectionShape;
}

/** What werift reads or calls of a UdpTransport (common/src/transport, ice/src/stun/protocol, Parley's sendOnPair). */
const USED = [
  'type',
  'socket',
  'rinfo',
  'onData',
  'closed',
  'send',
  'close',
  'address',
  'addressFamily',
  'host',
  'port',
];

test('the werift version is the one the mux was written against', () => {
  const require = createRequire(import.meta.url);
  // werift's exports map hides package.json; its CommonJS entry is lib/webrtc/src/index.js.
  const file = join(dirname(require.resolve('werift')), '..', '..', '..', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
  assert.equal(pkg.name, 'werift');
  assert.equal(
    pkg.version,
    '0.25.2',
    'check injection.ts, MuxTransport.ts and registerIce.ts against the new werift',
  );
});

test('an SFU peer connection gets mux transports through UdpTransport.init; another peer its own socket', async () => {
  const mux = new UdpMux({ bindAddress: '127.0.0.1', port: 0, ipv6: false });
  await mux.listening;
  const config = sfuPeerConfig(LOOPBACK_ICE, mux);
  // The mux rides in iceInterfaceAddresses under a symbol, which werift's Object.values scan does not see.
  assert.deepEqual(Object.values(config.iceInterfaceAddresses!), ['127.0.0.1']);
  assert.equal((config.iceInterfaceAddresses as Record<symbol, unknown>)[UDP_MUX], mux);
  const sfu = new RTCPeerConnection(config);
  const plain = new RTCPeerConnection({
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  try {
    sfu.addTransceiver('audio', { direction: 'sendonly' });
    await sfu.setLocalDescription(await sfu.createOffer());
    plain.addTransceiver('audio', { direction: 'recvonly' });
    await plain.setLocalDescription(await plain.createOffer());

    const ours = connectionOf(sfu);
    assert.equal(typeof ours.localUsername, 'string');
    assert.equal(typeof ours.localPassword, 'string');
    assert.equal(typeof ours.userHistory, 'object');
    assert.equal(ours.protocols.length, 1);
    const transport = ours.protocols[0]!.transport;
    assert.ok(transport instanceof MuxTransport, 'werift took the mux transport');
    assert.equal(ours.protocols[0]!.localCandidate!.port, mux.port, 'the candidate is on the mux port');
    assert.equal(mux.stats().transports, 1);

    const theirs = connectionOf(plain).protocols[0]!.transport;
    assert.ok(theirs instanceof UdpTransport, 'a peer without a mux keeps werift’s own socket');
    for (const key of USED) {
      assert.ok(key in (theirs as object), `werift's UdpTransport still has ${key}`);
      assert.ok(key in (transport as object), `MuxTransport has ${key}`);
    }
    assert.equal(typeof (theirs as { onData: unknown }).onData, 'function');
    assert.equal((theirs as { type: unknown }).type, 'udp');
  } finally {
    await sfu.close();
    await plain.close();
  }
  assert.equal(mux.stats().transports, 0, 'closing the peer released its mux transport');
  await mux.close();
});
