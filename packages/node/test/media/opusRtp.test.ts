import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpPacket } from 'werift';
import { readOggOpus, writeOggOpus } from '../../src/media/oggOpus.js';
import { OpusRtpDepacketizer, OpusRtpPacketizer } from '../../src/media/opusRtp.js';
import { RtpClockRate, RtpSequencer } from '../../src/media/RtpSequencer.js';
import { readSample } from './samples.js';

test('Ogg → RTP → Ogg keeps every Opus packet; timestamps step by 960 per 20 ms', async () => {
  const source = readOggOpus(await readSample('tone.ogg'));
  const opus = new OpusRtpPacketizer(
    new RtpSequencer({
      payloadType: 111,
      clockRate: RtpClockRate.audio,
      initialTimestamp: 2 ** 32 - 960 * 3,
      initialSequenceNumber: 65_530,
    }),
  );
  const wire = source.packets.map((p) => RtpPacket.deSerialize(opus.packetize(p).serialize()));
  assert.equal(wire.length, source.packets.length);
  wire.forEach((p, i) => {
    assert.equal(p.header.timestamp, (2 ** 32 - 960 * 3 + 960 * i) % 2 ** 32);
    assert.equal(p.header.marker, false);
  });
  const d = new OpusRtpDepacketizer();
  const received = wire.map((p) => d.push(p));
  assert.ok(received.every((r) => r?.lostBefore === 0));
  const again = readOggOpus(
    writeOggOpus({
      head: source.head,
      tags: source.tags,
      packets: received.flatMap((r) => (r ? [r.data] : [])),
    }),
  );
  assert.deepEqual(
    again.packets.map((p) => Buffer.from(p).toString('hex')),
    source.packets.map((p) => Buffer.from(p).toString('hex')),
  );
});

test('losses are reported on the next packet; duplicates and late packets are dropped', async () => {
  const { packets } = readOggOpus(await readSample('tone.ogg'));
  const opus = new OpusRtpPacketizer(
    new RtpSequencer({ payloadType: 111, clockRate: 48_000, initialSequenceNumber: 65_535 }),
  );
  const wire = packets.slice(0, 5).map((p) => opus.packetize(p));
  const d = new OpusRtpDepacketizer();
  const out = [wire[0], wire[1], wire[3], wire[1], wire[4], wire[4]].map((p) => d.push(p as RtpPacket));
  assert.deepEqual(
    out.map((r) => r?.lostBefore),
    [0, 0, 1, undefined, 0, undefined],
  );
  assert.equal(out[2]?.timestamp, wire[3]?.header.timestamp);
  assert.equal(d.lostPackets, 1);
  assert.equal(d.discarded, 2);
});

test('skip() moves the clock; a non-48 kHz sequencer is refused', () => {
  const opus = new OpusRtpPacketizer(
    new RtpSequencer({ payloadType: 111, clockRate: 48_000, initialTimestamp: 0 }),
  );
  const a = opus.packetize(Uint8Array.of(0xfc, 0xff));
  opus.skip(4800);
  const b = opus.packetize(Uint8Array.of(0xfc, 0xff));
  assert.equal(b.header.timestamp - a.header.timestamp, 960 + 4800);
  assert.throws(
    () => new OpusRtpPacketizer(new RtpSequencer({ payloadType: 111, clockRate: 90_000 })),
    TypeError,
  );
  assert.throws(() => opus.packetize(new Uint8Array(0)), /Opus packet TOC/);
});
