import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { FrameMeter } from '../../src/sfu/FrameMeter.js';
import {
  isH264KeyframeStart,
  isVp8KeyframeStart,
  RetransmissionBuffer,
  resolveIceOptions,
  vp8KeyframeSize,
} from '../../src/sfu/index.js';
import { IncomingStreamCounter } from '../../src/sfu/stats.js';

const packet = (seq: number, ts = 0, ssrc = 1) =>
  new RtpPacket(
    new RtpHeader({ sequenceNumber: seq, timestamp: ts, ssrc, payloadType: 96 }),
    Buffer.alloc(10),
  );

test('VP8 keyframe detection reads the payload descriptor', () => {
  assert.ok(isVp8KeyframeStart(Buffer.from([0x10, 0x00])));
  assert.ok(!isVp8KeyframeStart(Buffer.from([0x10, 0x01])), 'interframe');
  assert.ok(!isVp8KeyframeStart(Buffer.from([0x00, 0x00])), 'not the start of a partition');
  // X with I (15-bit picture ID), L and T: descriptor of 5 bytes, then the payload header.
  assert.ok(isVp8KeyframeStart(Buffer.from([0x90, 0xe0, 0x80, 0x01, 0x02, 0x03, 0x00])));
  assert.ok(!isVp8KeyframeStart(Buffer.from([0x90, 0xe0, 0x80, 0x01, 0x02, 0x03, 0x01])));
});

test('H264 keyframe detection: IDR, SPS, STAP-A and FU-A start', () => {
  assert.ok(isH264KeyframeStart(Buffer.from([0x65])));
  assert.ok(isH264KeyframeStart(Buffer.from([0x67])));
  assert.ok(!isH264KeyframeStart(Buffer.from([0x41])));
  assert.ok(isH264KeyframeStart(Buffer.from([0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce])));
  assert.ok(isH264KeyframeStart(Buffer.from([0x7c, 0x85])));
  assert.ok(!isH264KeyframeStart(Buffer.from([0x7c, 0x05])), 'FU-A continuation');
});

test('the retransmission buffer returns only the exact packet', () => {
  const buffer = new RetransmissionBuffer(16);
  buffer.put(packet(100, 0, 7));
  assert.equal(buffer.get(7, 100)?.header.sequenceNumber, 100);
  assert.equal(buffer.get(8, 100), undefined, 'other SSRC');
  buffer.put(packet(116, 0, 7));
  assert.equal(buffer.get(7, 100), undefined, 'overwritten');
  assert.throws(() => new RetransmissionBuffer(100), TypeError);
});

test('the retransmission buffer gives a pooled payload an exact-size copy of the same bytes', () => {
  const buffer = new RetransmissionBuffer(16);
  // A small Buffer.from is a slice of Node's shared pool, as werift's parsed payloads are.
  const pooled = Buffer.from([1, 2, 3, 4, 5]);
  assert.ok(pooled.buffer.byteLength > pooled.byteLength);
  const p = new RtpPacket(new RtpHeader({ sequenceNumber: 5, ssrc: 7, payloadType: 96 }), pooled);
  buffer.put(p);
  const kept = buffer.get(7, 5);
  assert.equal(kept, p);
  assert.deepEqual([...p.payload], [1, 2, 3, 4, 5]);
  assert.equal(p.payload.buffer.byteLength, 5);
  // A payload that owns its memory is kept as it is.
  const own = Buffer.alloc(10);
  const q = new RtpPacket(new RtpHeader({ sequenceNumber: 6, ssrc: 7, payloadType: 96 }), own);
  buffer.put(q);
  assert.equal(q.payload, own);
});

test('incoming counters: loss from sequence gaps, late packets fill them, a new SSRC starts over', () => {
  let now = 0;
  const counter = new IncomingStreamCounter(90000, () => now);
  for (const seq of [65534, 65535, 1, 2]) {
    now += 10;
    counter.add(packet(seq, now * 90));
  }
  assert.equal(counter.packetsLost, 1);
  counter.add(packet(0, 0));
  assert.equal(counter.packetsLost, 0);
  assert.equal(counter.jitter, 0, 'perfectly paced');
  counter.add(packet(500, 0, 2));
  counter.add(packet(502, 0, 2));
  assert.equal(counter.packetsLost, 1);
  assert.equal(counter.packets, 7);
});

test('ICE options are checked', () => {
  assert.deepEqual(resolveIceOptions(), {
    announcedAddresses: ['127.0.0.1'],
    bindAddress: '127.0.0.1',
    udpPort: 0,
    portRange: null,
  });
  // A port range chooses the socket-per-transport mode: no shared port then.
  assert.equal(resolveIceOptions({ portRange: [50000, 50010] }).udpPort, null);
  assert.equal(resolveIceOptions({ udpPort: 50000 }).udpPort, 50000);
  assert.throws(() => resolveIceOptions({ udpPort: 50000, portRange: [50001, 50010] }), TypeError);
  assert.throws(() => resolveIceOptions({ udpPort: 65536 }), TypeError);
  assert.throws(() => resolveIceOptions({ udpPort: 1.5 }), TypeError);
  assert.throws(() => resolveIceOptions({ announcedAddresses: [] }), TypeError);
  assert.throws(() => resolveIceOptions({ announcedAddresses: ['example.com'] }), TypeError);
  assert.throws(() => resolveIceOptions({ bindAddress: '::1' }), TypeError);
  assert.throws(() => resolveIceOptions({ portRange: [5000, 4000] }), TypeError);
});

test('a VP8 keyframe tells its picture size; frames are counted at marker bits', () => {
  // Descriptor (S=1, PID=0), frame tag with P=0, start code, width 320, height 240 (little endian, 14 bits).
  const key = Buffer.from([0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00]);
  assert.deepEqual(vp8KeyframeSize(key), { width: 320, height: 240 });
  assert.equal(
    vp8KeyframeSize(Buffer.from([0x10, 0x51, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00])),
    null,
  );
  assert.equal(
    vp8KeyframeSize(Buffer.from([0x00, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00])),
    null,
  );

  let now = 0;
  const meter = new FrameMeter('video/VP8', () => now);
  const send = (payload: Buffer, marker: boolean) =>
    meter.add(
      new RtpPacket(
        new RtpHeader({ sequenceNumber: 1, timestamp: 0, ssrc: 1, payloadType: 96, marker }),
        payload,
      ),
    );
  assert.equal(meter.frameRate, null);
  // 15 frames per second of two packets each, for 3 s.
  for (let i = 0; i < 45; i++) {
    now = (i * 1000) / 15;
    send(i === 0 ? key : Buffer.from([0x10, 0x01, 0x00]), false);
    send(Buffer.from([0x00, 0x00]), true);
  }
  assert.equal(meter.frames, 45);
  assert.equal(meter.frameRate, 15);
  assert.deepEqual([meter.width, meter.height], [320, 240]);
  now += 5000;
  assert.equal(meter.frameRate, 0, 'no frames in the last 2 s');
});
