/**
 * How a player's connection starts: the ICE-lite agent connects on the first valid check (connectOnFirstCheck.ts)
 * and a ClientHello that arrives before the SFU's DTLS server exists is kept for it (earlyDtls.ts). The browser
 * timelines these came from are in the commits; these pin the werift shapes they rely on and the behaviour.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Message, type RTCDtlsTransport, RTCPeerConnection } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import { connectOnFirstCheck } from '../../src/sfu/werift/connectOnFirstCheck.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** The ICE connection of a werift peer connection set up as the SFU's (ICE-lite, one bundled transport). */
async function liteIce(): Promise<{ pc: RTCPeerConnection; dtls: RTCDtlsTransport; ice: any }> {
  const pc = new RTCPeerConnection({
    iceLite: true,
    bundlePolicy: 'max-bundle',
    iceServers: [],
    // Loopback only, as the SFU's config does: werift's interface scan skips loopback, and CI has nothing else.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  // Gathering (the host candidate's socket, `protocols[0]`) finishes after setLocalDescription resolves.
  if (pc.iceGatheringState !== 'complete') {
    await pc.iceGatheringStateChange.watch((state) => state === 'complete');
  }
  const dtls = pc.getTransceivers()[0]!.dtlsTransport;
  return { pc, dtls, ice: dtls.iceTransport.connection };
}

/** A Binding request as a controlling browser sends it before nominating: no USE-CANDIDATE. */
function check(username: string, nominate = false): Message {
  const request = new Message(0x0001, 0x0000);
  request.setAttribute('USERNAME', username);
  request.setAttribute('PRIORITY', 1853824767);
  request.setAttribute('ICE-CONTROLLING', BigInt(1));
  if (nominate) request.setAttribute('USE-CANDIDATE', null);
  return request;
}

test('the ICE-lite agent connects on the first check addressed to it; werift alone waits for USE-CANDIDATE', async (t) => {
  const plain = await liteIce();
  const rule = await liteIce();
  t.after(() => Promise.all([plain.pc.close(), rule.pc.close()]));
  connectOnFirstCheck(rule.dtls);
  connectOnFirstCheck(rule.dtls); // idempotent
  for (const { ice } of [plain, rule]) {
    assert.equal(typeof ice.checkIncoming, 'function', 'werift still has checkIncoming');
    assert.ok(Array.isArray(ice.checkList) && typeof ice.localUsername === 'string');
  }
  const from: [string, number] = ['127.0.0.1', 40000];
  // A request for another agent (a foreign ufrag) connects nothing.
  rule.ice.checkIncoming(check('someone:else'), from, rule.ice.protocols[0]);
  assert.equal(rule.ice.nominated, undefined);
  for (const { ice } of [plain, rule]) {
    ice.checkIncoming(check(`${ice.localUsername}:browser`), from, ice.protocols[0]);
  }
  assert.equal(plain.ice.nominated, undefined, 'werift: not connected before the nomination');
  assert.deepEqual(rule.ice.nominated?.remoteAddr, from, 'the rule: connected on the checked pair');
  // The later nomination of the same pair changes nothing.
  const pair = rule.ice.nominated;
  rule.ice.checkIncoming(check(`${rule.ice.localUsername}:browser`, true), from, rule.ice.protocols[0]);
  assert.equal(rule.ice.nominated, pair);
});

test('a ClientHello that arrives before the SFU has the answer is handed to its DTLS server', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  const { offerSdp, transport } = await router.play('p', 's');
  player.transport = transport;
  const dtls = (transport as any).pc.getTransceivers()[0].dtlsTransport;
  const hellos: { record: Buffer; dtlsState: string }[] = [];
  dtls.iceTransport.connection.onData.subscribe((record: Buffer) => {
    // A DTLS handshake record (22) carrying a ClientHello (handshake type 1).
    if (record[0] === 22 && record[13] === 1) hellos.push({ record, dtlsState: dtls.state });
  });
  // The player answers and starts ICE and DTLS; the SFU gets the answer only once the ClientHello is there.
  await player.answer(offerSdp, async (answerSdp) => {
    await waitFor(() => hellos.length > 0, 'the player ClientHello at the SFU');
    await transport.setAnswer(answerSdp);
  });
  await waitFor(() => transport.connectionState === 'connected', 'the SFU side connected');
  assert.equal(hellos[0]!.dtlsState, 'new', 'it came before the SFU DTLS server existed');
  const replayed = hellos.slice(1).find((h) => h.record === hellos[0]!.record);
  assert.ok(replayed, 'the very record was handed on once the server started');
  assert.equal(replayed.dtlsState, 'connecting');
});
