/**
 * A connected player's checks on its nominated pair are answered in the UDP mux (werift/answerChecks.ts), as
 * werift would answer them; every other check still reaches werift. The checks are sent by the player's own
 * werift ICE agent, on its nominated pair, as its consent freshness does every ~5 s.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { classes, Message, methods, type RTCPeerConnection } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import type { SubscriberTransport } from '../../src/sfu/SubscriberTransport.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

/** werift's private ICE objects that a test may look at. */
interface Pair {
  protocol: {
    request(request: Message, addr: [string, number], integrityKey?: Buffer): Promise<[Message, unknown]>;
    transport: { send(data: Buffer, addr: [string, number]): Promise<void> };
  };
  remoteAddr: [string, number];
  localCandidate: unknown;
  requestsReceived: number;
}
interface Ice {
  nominated?: Pair;
  localUsername: string;
  remoteUsername: string;
  remotePassword: string;
  protocols: { transport: { onData: (data: Buffer, addr: [string, number]) => void } }[];
}

function iceOf(pc: RTCPeerConnection): Ice {
  return pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as Ice;
}

/** A check from `client` to the SFU, as werift's consent freshness builds it, signed with `password`. */
function checkFrom(client: Ice, options: { useCandidate?: boolean; controlled?: boolean } = {}): Message {
  const m = new Message(methods.BINDING, classes.REQUEST);
  m.setAttribute('USERNAME', `${client.remoteUsername}:${client.localUsername}`);
  m.setAttribute('PRIORITY', 1853817087);
  if (options.controlled) m.setAttribute('ICE-CONTROLLED', 7n);
  else m.setAttribute('ICE-CONTROLLING', 7n);
  if (options.useCandidate) m.setAttribute('USE-CANDIDATE', null);
  return m;
}

async function connectedPlayer(t: { after(fn: () => unknown): void }) {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  const transport: SubscriberTransport = await player.play(router, 'p', 's');
  const client = iceOf(player.pc);
  const sfu = iceOf((transport as unknown as { pc: RTCPeerConnection }).pc);
  await waitFor(() => client.nominated !== undefined && sfu.nominated !== undefined, 'both sides nominated');
  // Every binding request that reaches werift's ICE on the SFU's side.
  let toWerift = 0;
  const muxTransport = sfu.protocols[0]!.transport;
  const onData = muxTransport.onData;
  muxTransport.onData = (data, addr) => {
    if (data.length >= 20 && data.readUInt16BE(0) === 0x0001) toWerift += 1;
    onData(data, addr);
  };
  return { router, transport, client, sfu, werift: () => toWerift };
}

test('a consent check on the nominated pair is answered in the mux, signed, and counted on the pair', async (t) => {
  const { router, transport, client, sfu, werift } = await connectedPlayer(t);
  const pair = client.nominated!;
  const answeredBefore = router.udpMux!.stats().answered;
  const requestsBefore = sfu.nominated!.requestsReceived;
  for (const useCandidate of [false, true]) {
    // werift's request verifies the response's MESSAGE-INTEGRITY with the SFU's password, or times out.
    const [response] = await pair.protocol.request(
      checkFrom(client, { useCandidate }),
      pair.remoteAddr,
      Buffer.from(client.remotePassword, 'utf8'),
    );
    assert.equal(response.messageClass, classes.RESPONSE);
    assert.deepEqual(response.getAttributeValue('XOR-MAPPED-ADDRESS'), [
      '127.0.0.1',
      (pair.protocol.transport as unknown as { address: { port: number } }).address.port,
    ]);
  }
  assert.equal(router.udpMux!.stats().answered - answeredBefore, 2, 'both answered by the mux');
  assert.equal(werift(), 0, 'none reached werift');
  assert.equal(
    sfu.nominated!.requestsReceived - requestsBefore,
    2,
    'werift’s pair statistics still count them',
  );
  assert.equal(transport.connectionState, 'connected');
});

test('a check with a wrong password, or claiming the controlled role, goes to werift', async (t) => {
  const { router, client, werift } = await connectedPlayer(t);
  const pair = client.nominated!;
  const answeredBefore = router.udpMux!.stats().answered;
  const forged = checkFrom(client);
  forged.addMessageIntegrity(Buffer.from('not the SFU’s password, not at all', 'utf8'));
  forged.addFingerprint();
  await pair.protocol.transport.send(forged.bytes, pair.remoteAddr);
  await waitFor(() => werift() === 1, 'the forged check reached werift');
  // werift refuses a second controlled agent (487 Role Conflict): an error response, not a success.
  const conflict = checkFrom(client, { controlled: true });
  await assert.rejects(
    pair.protocol.request(conflict, pair.remoteAddr, Buffer.from(client.remotePassword, 'utf8')),
  );
  assert.equal(werift(), 2, 'the role conflict reached werift');
  assert.equal(router.udpMux!.stats().answered, answeredBefore, 'the mux answered neither');
});
