/**
 * The Node SDK's ICE checks get 6 retransmissions over UDP (iceCheckBudget.ts), and the werift shape this relies
 * on is pinned: its ICE `Connection` has a `checkRequestOptions(pair)` that gives a UDP pair 4 retransmissions
 * and a TCP pair none. That the longer budget lets a connection outlast a silent path end to end is
 * mediaRetry.test.ts's case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { silentLogger } from '../../src/index.js';
import { clientPeerConfig } from '../../src/media/backend/clientPeerConfig.js';
import { CHECK_RETRANSMISSIONS, lengthenIceChecks } from '../../src/media/backend/iceCheckBudget.js';

type Options = {
  retransmissions?: number;
  responseTimeout?: number;
  onRequestSent?: (attempt: number) => void;
};
const pair = (transport: 'udp' | 'tcp') => ({ localCandidate: { transport }, retransmissionsSent: 0 });

test("werift's checks: 4 retransmissions over UDP, none over TCP; lengthened: 6 over UDP, TCP as werift has it", async () => {
  const pc = new RTCPeerConnection(
    clientPeerConfig({ iceServers: [{ urls: ['stun:127.0.0.1:3478'] }], serverUrl: 'ws://127.0.0.1:1/ws' }),
  );
  try {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.createOffer();
    assert.equal(pc.iceTransports.length, 1, 'max-bundle: one ICE transport');
    const ice = pc.iceTransports[0]!.connection as unknown as {
      checkRequestOptions: (pair: unknown) => Options;
    };
    const udp = pair('udp');
    const before = ice.checkRequestOptions(udp);
    assert.equal(before.retransmissions, 4);
    assert.equal(ice.checkRequestOptions(pair('tcp')).retransmissions, 0);

    lengthenIceChecks(pc, silentLogger);
    lengthenIceChecks(pc, silentLogger);
    const after = ice.checkRequestOptions(udp);
    assert.equal(after.retransmissions, CHECK_RETRANSMISSIONS);
    assert.equal(CHECK_RETRANSMISSIONS, 6);
    // werift's statistics callback stays: a retransmission still counts on the pair.
    after.onRequestSent?.(1);
    assert.equal(udp.retransmissionsSent, 1);
    const tcp = ice.checkRequestOptions(pair('tcp'));
    assert.equal(tcp.retransmissions, 0);
    assert.equal(typeof tcp.responseTimeout, 'number');
  } finally {
    await pc.close();
  }
});
