/**
 * ICE restart through the UDP mux, at the werift level (Parley's signaling has no ICE restart of its own yet):
 * an SFU-configured peer restarts, its new ufrag is registered, and a check that names
 * the new ufrag from a new client tuple (NAT rebinding) is accepted, while one signed with the old password
 * is not.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { classes, Message, methods, parseMessage, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { LOOPBACK_ICE, sfuPeerConfig } from '../../src/sfu/index.js';
import { type IceCredentialsShape, registerIceCredentials } from '../../src/sfu/werift/udpMux/registerIce.js';
import { UdpMux } from '../../src/sfu/werift/udpMux/UdpMux.js';
import { opusPayload, TestPlayer } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

test('after an ICE restart the new ufrag is registered: a new tuple naming it joins the transport', async (t) => {
  const mux = new UdpMux({ bindAddress: '127.0.0.1', port: 0, ipv6: false });
  await mux.listening;
  const sfu = new RTCPeerConnection(sfuPeerConfig(LOOPBACK_ICE, mux));
  const player = new TestPlayer(stun);
  const rebound = createSocket('udp4');
  await new Promise<void>((resolve) => rebound.bind(0, '127.0.0.1', resolve));
  t.after(async () => {
    rebound.close();
    await sfu.close();
    await player.close();
    await mux.close();
  });
  const transceiver = sfu.addTransceiver('audio', { direction: 'sendonly' });
  const connection = () =>
    transceiver.dtlsTransport.iceTransport.connection as unknown as IceCredentialsShape;
  const negotiate = async (iceRestart: boolean): Promise<void> => {
    await sfu.setLocalDescription(await sfu.createOffer({ iceRestart }));
    registerIceCredentials(connection()); // what Transport.ts does after each local description
    await player.answer(sfu.localDescription!.sdp, (answer) =>
      sfu.setRemoteDescription({ type: 'answer', sdp: answer }),
    );
  };
  let seq = 0;
  const timer = setInterval(() => {
    const codec = transceiver.sender.codec;
    if (!codec) return;
    const header = new RtpHeader({
      payloadType: codec.payloadType,
      sequenceNumber: seq++ & 0xffff,
      timestamp: seq * 960,
      ssrc: transceiver.sender.ssrc,
      marker: true,
    });
    void transceiver.sender.sendRtp(new RtpPacket(header, opusPayload(seq)));
  }, 5);
  t.after(() => clearInterval(timer));

  await negotiate(false);
  await waitFor(() => player.received.audio.length > 10, 'media before the restart');
  const firstUfrag = connection().localUsername;
  const firstPassword = connection().localPassword;

  await negotiate(true);
  const { localUsername: ufrag, localPassword: password } = connection();
  assert.notEqual(ufrag, firstUfrag, 'the restart made a new ufrag');
  // Media after a restart is not asserted here: werift 0.25.2 with werift on the other side does not resume
  // media after an ICE-lite agent's restart, with the mux or without it (the same test in the port-range mode
  // times out alike). Parley's signaling does not restart ICE today; this pins the mux's part.

  // A check from a new tuple: signed with the old password it is dropped; with the new one, accepted.
  const check = (key: string): Buffer => {
    const m = new Message(methods.BINDING, classes.REQUEST);
    m.setAttribute('USERNAME', `${ufrag}:peer`);
    m.setAttribute('PRIORITY', 1853824767);
    m.setAttribute('ICE-CONTROLLING', BigInt(12345));
    m.addMessageIntegrity(Buffer.from(key));
    m.addFingerprint();
    return m.bytes;
  };
  const before = mux.stats();
  rebound.send(check(firstPassword), mux.port, '127.0.0.1');
  await waitFor(() => mux.stats().dropped > before.dropped, 'the check with the old password dropped');
  assert.equal(mux.stats().tuples, before.tuples);
  const answered = new Promise<Buffer>((resolve) => rebound.once('message', resolve));
  rebound.send(check(password), mux.port, '127.0.0.1');
  const response = parseMessage(await answered)!;
  assert.equal(response.messageClass, classes.RESPONSE, 'werift answered the check on the new tuple');
  assert.equal(mux.stats().tuples, before.tuples + 1, 'the new tuple joined the transport');
});
