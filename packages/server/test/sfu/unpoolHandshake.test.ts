/**
 * After the handshake the SFU's DTLS objects keep no slices of Node's shared buffer pool, only views on one
 * buffer of the transport's own that holds exactly their bytes (unpoolHandshake.ts), and the connection works
 * as before: media flows, the SRTP keys agree, and it closes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

/** Every Buffer under `root` (data objects only, as the walk does), with its path. */
function buffersUnder(root: object, path: string, out: { path: string; buffer: Buffer }[], depth = 0): void {
  if (depth > 6) return;
  for (const [key, value] of Object.entries(root)) {
    if (Buffer.isBuffer(value)) out.push({ path: `${path}.${key}`, buffer: value });
    else if (typeof value === 'object' && value !== null && key !== 'options' && !ArrayBuffer.isView(value)) {
      if (Object.values(value).some((v) => typeof v === 'function')) continue;
      buffersUnder(value, `${path}.${key}`, out, depth + 1);
    }
  }
}

test('a connected transport keeps its handshake buffers outside the shared pool and still carries media', async (t) => {
  const { player, transport, stop } = await connectedPlayer(t, stun);
  await waitFor(() => player.received.audio.length >= 10 && player.received.video.length >= 10, 'media');
  stop();
  const session = (transport as any).pc.getTransceivers()[0].dtlsTransport.dtls;
  assert.ok(session?.dtls && session?.cipher, 'werift 0.25.2 keeps its DTLS context and cipher there');
  const found: { path: string; buffer: Buffer }[] = [];
  buffersUnder(session.dtls, 'dtls', found);
  buffersUnder(session.cipher, 'cipher', found);
  const names = found.map((f) => f.path);
  for (const expected of ['cipher.masterSecret', 'cipher.localCert', 'cipher.remoteCertificate']) {
    assert.ok(names.includes(expected), `${expected} is where the walk looks`);
  }
  // The handshake messages themselves were dropped first (trimHandshake.ts); the last flight, kept to resend,
  // is packed with the rest.
  assert.ok(
    names.some((n) => n.startsWith('dtls.lastMessage.')),
    'the last flight is found',
  );
  buffersUnder(session, 'session', found);
  const slices = found.filter((f) => f.buffer.byteLength < f.buffer.buffer.byteLength);
  const arrays = new Set(slices.map((f) => f.buffer.buffer));
  assert.ok(arrays.size <= 1, 'the kept slices are views on one buffer of the transport');
  const [own] = arrays;
  assert.ok(own, "werift's handshake buffers were found and packed");
  // That buffer holds exactly the handshake's kept bytes: no other data (as a pool slab would).
  const regions = new Map(slices.map((f) => [f.buffer.byteOffset, f.buffer.byteLength]));
  const kept = [...regions.values()].reduce((a, b) => a + b, 0);
  assert.equal(own.byteLength, kept);
  // Such as the master secret, the randoms, both certificates and the last flight's records.
  assert.ok(regions.size >= 6, 'the handshake buffers were packed');
});
