/**
 * What a media pipe reads and writes, without sockets: RTP and RTCP parsing (which must survive any bytes),
 * the set-up messages' validation, and the loss repair's NACK timing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RtpHeader, RtpPacket } from 'werift';
import { PipeLossRepair } from '../../src/sfu/pipe/PipeLossRepair.js';
import { parsePipeAnswer, parsePipeRequest } from '../../src/sfu/pipe/pipeMessages.js';
import { bye, nack, parseRtcp, pli, receiverReport } from '../../src/sfu/pipe/pipeRtcp.js';
import { writeRtp } from '../../src/sfu/pipe/pipeRtp.js';
import { isRtcp, parseRtp } from '../../src/sfu/rtpDatagram.js';
import { waitFor } from './support/waitFor.js';

test('the pipe parsers return null or a packet for any bytes, never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const data = Buffer.from(bytes);
      const rtp = parseRtp(data);
      if (rtp) assert.ok(rtp.payload.length <= data.length - 12);
      const rtcp = parseRtcp(data);
      if (rtcp) assert.ok(Array.isArray(rtcp));
    }),
    { numRuns: 5000 },
  );
  // RTP and RTCP headers with random bodies reach the deeper paths (CSRCs, extensions, padding, FCI).
  const headed = fc
    .tuple(fc.constantFrom(0x80, 0x81, 0x8f, 0x90, 0xa0, 0xb1), fc.integer({ min: 0, max: 255 }))
    .chain(([b0, b1]) =>
      fc.uint8Array({ maxLength: 80 }).map((rest) => Buffer.from([b0, b1, ...rest.slice(0, 2), ...rest])),
    );
  fc.assert(
    fc.property(headed, (data) => {
      parseRtp(data);
      parseRtcp(data);
    }),
    { numRuns: 5000 },
  );
});

test('RTP written for the pipe reads back; CSRCs, header extensions and padding are skipped', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.constantFrom(0, 63, 96, 111, 127),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 200 }),
      (marker, payloadType, sequenceNumber, timestamp, ssrc, payload) => {
        const packet = new RtpPacket(
          new RtpHeader({ marker, payloadType: 50, sequenceNumber, timestamp, ssrc }),
          Buffer.from(payload),
        );
        const data = writeRtp(packet, payloadType);
        assert.equal(isRtcp(data), false);
        const back = parseRtp(data)!;
        assert.deepEqual(
          [back.header.marker, back.header.payloadType, back.header.sequenceNumber, back.header.timestamp],
          [marker, payloadType, sequenceNumber, timestamp],
        );
        assert.equal(back.header.ssrc, ssrc);
        assert.deepEqual([...back.payload], [...payload]);
      },
    ),
  );
  // Two CSRCs, a one-byte-header extension of one word, three bytes of padding.
  const data = Buffer.from([
    0xb2, 0x60, 0x00, 0x07, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0x01, 0x10,
    0xaa, 0, 0, 0x01, 0x02, 0x03, 0, 0, 3,
  ]);
  const packet = parseRtp(data)!;
  assert.equal(packet.header.sequenceNumber, 7);
  assert.deepEqual([...packet.payload], [1, 2, 3]);
});

test('pipe RTCP: reports, BYE, PLI, FIR and NACK read back from compound datagrams', () => {
  const compound = Buffer.concat([receiverReport(1), pli(1, 0xdeadbeef), bye(1)]);
  assert.ok(isRtcp(compound));
  assert.deepEqual(parseRtcp(compound), [
    { type: 'report' },
    { type: 'keyframe', mediaSsrc: 0xdeadbeef },
    { type: 'bye' },
  ]);
  const fir = Buffer.from([
    0x84, 206, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0,
  ]);
  assert.deepEqual(parseRtcp(fir), [
    { type: 'keyframe', mediaSsrc: 7 },
    { type: 'keyframe', mediaSsrc: 8 },
  ]);
  // Any set of lost packets within a window (wrapping around 65535) reads back as it was written.
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 100 }),
      (base, offsets) => {
        const lost = offsets.sort((x, y) => x - y).map((o) => (base + o) & 0xffff);
        assert.deepEqual(parseRtcp(nack(1, 2, lost)), [{ type: 'nack', mediaSsrc: 2, lost }]);
      },
    ),
  );
  assert.equal(
    parseRtcp(Buffer.concat([receiverReport(1), Buffer.from([0x80, 201, 0, 5])])),
    null,
    'truncated',
  );
});

test('set-up messages: a JSON round trip passes, malformed ones are refused with what is wrong', () => {
  const request = { pipeID: 'node-b/1', address: '127.0.0.1', port: 40000 };
  assert.deepEqual(parsePipeRequest(JSON.parse(JSON.stringify(request))), request);
  const track = (kind: 'audio' | 'video', mimeType: string, payloadType: number) => ({
    kind,
    ssrc: null,
    codec: { mimeType, clockRate: 90000, channels: null, payloadType, sdpFmtpLine: null, rtcpFeedback: [] },
  });
  const answer = {
    pipeID: 'node-b/1',
    address: '127.0.0.1',
    port: 40001,
    tracks: [track('audio', 'audio/opus', 111), track('video', 'video/VP8', 96)],
  };
  assert.deepEqual(parsePipeAnswer(JSON.parse(JSON.stringify(answer))), answer);
  const bad = [
    { ...answer, address: '::1' },
    { ...answer, port: 70000 },
    { ...answer, tracks: [] },
    { ...answer, tracks: [track('audio', 'video/VP8', 96)] },
    { ...answer, tracks: [track('video', 'video/VP8', 96), track('video', 'video/H264', 102)] },
    { ...answer, tracks: [track('audio', 'audio/opus', 96), track('video', 'video/VP8', 96)] },
    { ...answer, tracks: [track('video', 'video/VP8', 72)] },
    'not an object',
  ];
  for (const value of bad) assert.throws(() => parsePipeAnswer(value), TypeError, JSON.stringify(value));
  assert.throws(() => parsePipeRequest({ ...request, address: 'example.com' }), /address: must be an IPv4/);
});

test('loss repair: a gap is NACKed at once and retried until repaired or given up; a new SSRC starts over', async () => {
  const nacks: number[][] = [];
  const repair = new PipeLossRepair(
    (ssrc, lost) => {
      assert.equal(ssrc, 7);
      nacks.push(lost);
    },
    { retryMs: 5, maxTries: 3, maxGap: 100 },
  );
  try {
    repair.received(7, 65534);
    repair.received(7, 65535);
    repair.received(7, 2); // 0 and 1 lost, across the wrap
    assert.deepEqual(nacks, [[0, 1]]);
    repair.received(7, 0); // 0 repaired
    // The repair's timer is unref'd (a pipe's socket keeps the process alive): waitFor's own timer does here.
    await waitFor(() => repair.missingCount === 0, 'the repair to give up');
    assert.deepEqual(nacks, [[0, 1], [1], [1]], 'what is still missing is asked again, three tries in all');
    repair.received(7, 500); // a jump wider than maxGap: a new numbering, not a loss
    repair.received(9, 10); // another SSRC
    repair.received(9, 11);
    assert.equal(nacks.length, 3);
    assert.equal(repair.missingCount, 0);
  } finally {
    repair.close();
  }
});
