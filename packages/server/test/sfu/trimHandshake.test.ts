/**
 * A connected transport's DTLS server keeps of its finished handshake only what werift still reads
 * (trimHandshake.ts): the cached messages' types, not their bytes; no private key, key pairs or client
 * extensions. Media, statistics and a retransmitted Finished (answered with the server's last flight again)
 * work as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { LOOPBACK_ICE, sfuPeerConfig } from '../../src/sfu/index.js';
import { weriftShapeProblems, weriftShapeSubjects } from '../../src/sfu/werift/checkWeriftShapes.js';
import { trimFinishedHandshake } from '../../src/sfu/werift/trimHandshake.js';
import { connectedPlayer } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** werift's DTLS server session under the player's transport (private: read as werift 0.25.2 keeps it). */
function sessionOf(transport: unknown): any {
  return (transport as any).pc.getTransceivers()[0].dtlsTransport.dtls;
}

test('a connected transport keeps only the message types of its handshake, and no handshake keys', async (t) => {
  const { player, transport } = await connectedPlayer(t, stun);
  await waitFor(() => player.received.audio.length >= 10, 'media');
  const session = sessionOf(transport);
  assert.equal(session.connected, true);
  const cached = Object.values(session.dtls.handshakeCache).flatMap((f: any) => f.data);
  // Both sides' messages: ClientHello to ServerHelloDone, the client's flight 5, the server's Finished.
  assert.ok(cached.length >= 10, 'the cache still lists the handshake messages');
  for (const message of cached) assert.deepEqual(Object.keys(message), ['msg_type', 'message_seq']);
  const types = new Set(cached.map((m: any) => m.msg_type));
  for (const type of [11, 15, 16, 20]) assert.ok(types.has(type), `message type ${type} is listed`);
  assert.equal(session.cipher.localPrivateKey, undefined);
  assert.equal(session.cipher.localKeyPair, undefined);
  assert.equal(session.cipher.remoteKeyPair, undefined);
  assert.deepEqual(session.extensions, []);
  // What stays: the record cipher, the master secret and randoms (SRTP keys), the remote certificate (stats).
  assert.ok(session.cipher.cipher && session.cipher.masterSecret && session.cipher.remoteCertificate);
  assert.equal(session.dtls.lastMessage.length, 2, 'the last flight is kept to resend');
  // Trimming again changes nothing.
  const dtls = (transport as any).pc.getTransceivers()[0].dtlsTransport;
  assert.equal(trimFinishedHandshake(dtls), true);
  assert.deepEqual(
    Object.values(session.dtls.handshakeCache).flatMap((f: any) => f.data),
    cached,
  );

  const stats = await (transport as any).pc.getStats();
  const certificates = [...stats.values()].filter((s: any) => s.type === 'certificate');
  assert.ok(certificates.length >= 2, 'the local and remote certificates are still reported');
  const count = player.received.audio.length;
  await waitFor(() => player.received.audio.length >= count + 10, 'media after the checks');
});

test('after the trim a retransmitted Finished is still answered with the last flight', async (t) => {
  const { player, transport } = await connectedPlayer(t, stun);
  const session = sessionOf(transport);
  assert.equal(session.connected, true);
  const sent: Buffer[] = [];
  const send = session.transport.send;
  session.transport.send = (buf: Buffer, addr: unknown) => {
    sent.push(buf);
    return send(buf, addr);
  };
  // The client's Finished once more, as werift's record layer hands it over (a client that missed flight 6
  // resends its flight 5).
  const finished = { msg_type: 20, message_seq: 5, length: 12, fragment_offset: 0, fragment_length: 12 };
  await session.handleHandshakes([{ ...finished, fragment: Buffer.alloc(12) }]);
  assert.deepEqual(sent, session.dtls.lastMessage, 'ChangeCipherSpec and Finished were sent again');
  const count = player.received.audio.length;
  await waitFor(() => player.received.audio.length >= count + 10, 'media after the retransmission');
});

test('a transport whose handshake has not finished is left as it is', async () => {
  // The SFU's own explicit config: a bare werift peer would fall back to a public STUN server if it gathered.
  const pc = new RTCPeerConnection(sfuPeerConfig(LOOPBACK_ICE, null));
  const transceiver = pc.addTransceiver('audio', { direction: 'sendonly' });
  // No description applied: no DTLS session yet.
  assert.equal(trimFinishedHandshake(transceiver.dtlsTransport), false);
  await pc.close();
});

test("the start-up check names a DTLS server field the trim relies on when werift's server lacks it", async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const server = built.subjects.dtlsServer as any;
  assert.deepEqual(weriftShapeProblems(built.subjects), []);
  delete server.dtls.handshakeCache;
  delete server.cipher.localPrivateKey;
  assert.deepEqual(weriftShapeProblems(built.subjects), [
    'DtlsServer.dtls.handshakeCache: object',
    'DtlsServer.cipher.localPrivateKey: present',
  ]);
});
