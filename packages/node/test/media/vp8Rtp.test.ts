import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpPacket } from 'werift';
import { parseIvf } from '../../src/media/ivf.js';
import { RtpClockRate, RtpSequencer, rescaleTime } from '../../src/media/RtpSequencer.js';
import {
  isVp8Keyframe,
  parseVp8PayloadDescriptor,
  type Vp8DepacketizerEvent,
  Vp8RtpDepacketizer,
  Vp8RtpPacketizer,
} from '../../src/media/vp8Rtp.js';
import { readSample } from './samples.js';

const MTU = 300;

/** The sample as RTP packets, one array per frame, sent through werift's serializer and parser. */
async function samplePackets(initialSequenceNumber = 65_500, maxPayloadSize = MTU) {
  const { header, frames } = parseIvf(await readSample('testsrc.ivf'));
  const sequencer = new RtpSequencer({
    payloadType: 96,
    clockRate: RtpClockRate.video,
    initialSequenceNumber,
    initialTimestamp: 1000,
    ssrc: 0x1234,
  });
  const vp8 = new Vp8RtpPacketizer({ maxPayloadSize, pictureId: 0x7ffe });
  const perFrame = frames.map((f) =>
    sequencer
      .frame(
        vp8.packetize(f.data),
        rescaleTime(f.pts, header.timebaseNumerator, header.timebaseDenominator, RtpClockRate.video),
      )
      .map((p) => RtpPacket.deSerialize(p.serialize())),
  );
  return { frames, perFrame };
}

function frames(events: Vp8DepacketizerEvent[]) {
  return events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
}

test('IVF → packetize → depacketize gives identical frames in order, across a sequence wrap', async () => {
  const { frames: source, perFrame } = await samplePackets();
  const all = perFrame.flat();
  assert.ok(all.length > source.length, 'the MTU forces some frames into several packets');
  assert.ok(
    all.some((p) => p.header.sequenceNumber === 0),
    'sequence numbers wrapped',
  );
  const d = new Vp8RtpDepacketizer();
  const events = all.flatMap((p) => d.push(p));
  assert.ok(events.every((e) => e.type === 'frame'));
  const out = frames(events);
  assert.equal(out.length, source.length);
  out.forEach((f, i) => {
    const src = source[i];
    assert.ok(src && f.data.equals(src.data), `frame ${i} differs`);
    assert.equal(f.timestamp, 1000 + i * 6000);
    assert.equal(f.keyframe, isVp8Keyframe(src.data));
    assert.equal(f.pictureId, (0x7ffe + i) & 0x7fff, 'PictureID wraps at 15 bits');
  });
  assert.deepEqual(
    out.flatMap((f, i) => (f.keyframe ? [i] : [])),
    [0, 15],
  );
  assert.equal(d.keyframeNeeded, false);
  assert.equal(d.lostPackets, 0);
});

test('payloads respect the MTU; S bit on the first and marker on the last packet of each frame', async () => {
  const { perFrame } = await samplePackets();
  for (const packets of perFrame) {
    packets.forEach((p, i) => {
      assert.ok(p.payload.length <= MTU, `payload of ${p.payload.length} bytes`);
      const d = parseVp8PayloadDescriptor(p.payload);
      assert.equal(d.start, i === 0);
      assert.equal(d.partitionId, 0);
      assert.equal(d.size, 4);
      assert.equal(p.header.marker, i === packets.length - 1);
      assert.equal(p.header.timestamp, packets[0]?.header.timestamp);
    });
  }
  const sizes = new Vp8RtpPacketizer({ maxPayloadSize: 100 })
    .packetize(new Uint8Array(1000))
    .map((p) => p.length);
  assert.equal(sizes.length, Math.ceil(1000 / 99));
  assert.ok(
    Math.max(...sizes) <= 100 && Math.max(...sizes) - Math.min(...sizes) <= 1,
    `balanced sizes: ${sizes.join(',')}`,
  );
  assert.throws(() => new Vp8RtpPacketizer({ maxPayloadSize: 4, pictureId: 1 }), TypeError);
  assert.throws(() => new Vp8RtpPacketizer().packetize(new Uint8Array(0)), TypeError);
});

test('a dropped packet is reported as a gap and a broken frame; a key frame clears the need for one', async () => {
  const { perFrame } = await samplePackets(100, 100);
  const victim = perFrame.findIndex((packets, i) => i > 0 && i < 15 && packets.length >= 3);
  assert.ok(victim > 0, 'a delta frame with three packets exists');
  const dropped = perFrame[victim]?.[1];
  const d = new Vp8RtpDepacketizer();
  const events = perFrame
    .flat()
    .filter((p) => p !== dropped)
    .flatMap((p) => d.push(p));
  const broken = events.filter((e) => e.type === 'broken');
  assert.deepEqual(broken, [
    { type: 'broken', timestamp: perFrame[victim]?.[0]?.header.timestamp, reason: 'missing-packets' },
  ]);
  const gap = events.find((e) => e.type === 'gap');
  assert.deepEqual(gap, {
    type: 'gap',
    lostPackets: 1,
    beforeSequenceNumber: perFrame[victim]?.[2]?.header.sequenceNumber,
  });
  assert.equal(frames(events).length, perFrame.length - 1);
  assert.equal(d.lostPackets, 1);
  assert.equal(d.keyframeNeeded, false, 'the key frame at 1 s arrived after the loss');
});

test('a lost marker packet breaks the frame when the next one starts; a lost first packet is a missing start', async () => {
  const { perFrame } = await samplePackets(7, 100);
  const multi = perFrame.findIndex((packets, i) => i > 0 && packets.length >= 3);
  assert.ok(multi > 0, 'a frame with three packets exists');
  const packets = perFrame[multi] ?? [];
  const next = perFrame[multi + 1] ?? [];

  const tail = new Vp8RtpDepacketizer();
  const tailEvents = [...packets.slice(0, -1), ...next].flatMap((p) => tail.push(p));
  assert.deepEqual(
    tailEvents.map((e) => e.type),
    ['gap', 'broken', 'frame'],
  );

  const head = new Vp8RtpDepacketizer();
  const headEvents = [...(perFrame[multi - 1] ?? []), ...packets.slice(1)].flatMap((p) => head.push(p));
  assert.deepEqual(
    headEvents.map((e) => (e.type === 'broken' ? e.reason : e.type)),
    ['frame', 'gap', 'missing-packets'],
  );
  // Joining mid-frame: nothing to report until the frame's fate is known, then a missing start.
  const fresh = new Vp8RtpDepacketizer();
  assert.deepEqual(fresh.push(packets[1] as RtpPacket), []);
  assert.deepEqual(fresh.flush(), [
    { type: 'broken', timestamp: packets[1]?.header.timestamp, reason: 'missing-start' },
  ]);
  assert.equal(fresh.keyframeNeeded, true);
});

test('duplicates and late packets are discarded', async () => {
  const { perFrame } = await samplePackets(65_535);
  const [a, b] = perFrame.flat();
  const d = new Vp8RtpDepacketizer();
  d.push(a as RtpPacket);
  d.push(b as RtpPacket);
  assert.deepEqual(d.push(a as RtpPacket), []);
  assert.deepEqual(d.push(b as RtpPacket), []);
  assert.equal(d.discarded, 2);
  assert.equal(d.lostPackets, 0);
});

test('parses every optional field of the VP8 payload descriptor', () => {
  // X=1 N=1 S=1 PID=2 | I L T K | 7-bit PictureID 0x35 | TL0PICIDX 9 | TID=2 Y=1 KEYIDX=5
  const d = parseVp8PayloadDescriptor(Uint8Array.of(0xb2, 0xf0, 0x35, 9, 0b1010_0101, 0xaa));
  assert.deepEqual(d, {
    nonReference: true,
    start: true,
    partitionId: 2,
    pictureId: 0x35,
    tl0PicIdx: 9,
    temporalLayerId: 2,
    layerSync: true,
    keyIdx: 5,
    size: 5,
  });
  assert.throws(() => parseVp8PayloadDescriptor(Uint8Array.of(0x90, 0x80, 0x81)), /PictureID low byte/);
  const d2 = new Vp8RtpDepacketizer();
  const events = d2.push({
    header: { sequenceNumber: 1, timestamp: 5, marker: true },
    payload: Uint8Array.of(0x90, 0x80),
  });
  assert.deepEqual(events, [{ type: 'broken', timestamp: 5, reason: 'malformed' }]);
});
