// A consumer maps its producer's numbering onto its own, and starts over (on a keyframe, for video) when the
// packets' SSRC changes under the same producer. It keeps that SSRC as two 16-bit halves (Consumer.ts): a change
// in either half alone is a new source.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { Consumer } from '../../src/sfu/Consumer.js';
import { Producer } from '../../src/sfu/Producer.js';
import { SenderReports } from '../../src/sfu/SenderReports.js';
import { senderInternals } from '../../src/sfu/werift/shapes.js';
import { fakeVp8Source, vp8Packet } from './support/videoSource.js';

/** A packet of `ssrc`: `vp8Packet`'s, whose SSRC is fixed. */
function packetOf(ssrc: number, seq: number, keyframe: boolean): RtpPacket {
  const packet = vp8Packet(seq, keyframe);
  packet.header.ssrc = ssrc;
  return packet;
}

test("a change of the source's SSRC in its low or its high half alone starts a new mapping, on a keyframe", async (t) => {
  // A werift sender with a negotiated codec and no transport: the consumer's drop filter sees every packet it
  // would send (rewritten) and drops it, so nothing reaches werift.
  const pc = new RTCPeerConnection({ iceServers: [] });
  const { sender } = pc.addTransceiver('video', { direction: 'sendonly' });
  senderInternals(sender).codec = new RTCRtpCodecParameters({
    mimeType: 'video/VP8',
    clockRate: 90000,
    payloadType: 96,
  });
  const reports = new SenderReports({ tickMs: 3_600_000 });
  const sent: { seq: number; ts: number; payloadType: number }[] = [];
  const consumer = new Consumer('video', sender, reports, {
    dropFilter: (p) => {
      const { sequenceNumber: seq, timestamp: ts, payloadType } = p.header;
      sent.push({ seq, ts, payloadType });
      return true;
    },
  });
  const { source, deliver } = fakeVp8Source();
  const producer = new Producer(source, { keyframeRequestIntervalMs: 1000, retransmissionBufferSize: 64 });
  t.after(async () => {
    consumer.close();
    producer.close();
    reports.close();
    await pc.close();
  });
  assert.ok(consumer.switchProducer(producer));
  consumer.start();

  const A = 0xfedc0001;
  const B = 0xfedc0002; // A's high half, another low half
  const C = 0xfedd0002; // B's low half, another high half
  deliver(packetOf(A, 100, true));
  deliver(packetOf(A, 101, false));
  deliver(packetOf(A, 102, false));
  assert.equal(sent.length, 3, 'the first source, from its keyframe');
  deliver(packetOf(B, 5000, false)); // a new source: waits for its keyframe
  assert.equal(sent.length, 3, 'B before its keyframe is not sent');
  deliver(packetOf(B, 5001, true));
  deliver(packetOf(B, 5002, false));
  assert.equal(sent.length, 5, 'B from its keyframe');
  deliver(packetOf(C, 9000, false));
  assert.equal(sent.length, 5, 'C before its keyframe is not sent');
  deliver(packetOf(C, 9001, true));
  assert.equal(sent.length, 6, 'C from its keyframe');
  deliver(packetOf(B, 5003, false)); // B again: a new source once more
  assert.equal(sent.length, 6, 'B again before a keyframe is not sent');

  for (let i = 1; i < sent.length; i++) {
    assert.equal(
      sent[i]!.seq,
      (sent[i - 1]!.seq + 1) & 0xffff,
      `packet ${i}: one numbering across the sources`,
    );
    assert.equal(sent[i]!.payloadType, 96);
  }
  // Within a source the timestamps keep the source's steps (3000 per packet here).
  assert.equal((sent[1]!.ts - sent[0]!.ts) >>> 0, 3000);
  assert.equal((sent[4]!.ts - sent[3]!.ts) >>> 0, 3000);
  for (const i of [3, 5]) {
    const step = (sent[i]!.ts - sent[i - 1]!.ts) >>> 0;
    assert.ok(
      step > 0 && step < 0x80000000,
      `packet ${i}: the timestamp moves forward at the switch (${step})`,
    );
  }
});
