// The light receivers read only each packet's tag (lib/tagDecoder.ts), with their own keystream: checked here
// against packets `@parley/rtp` protected, as the SFU protects what it forwards, in both profiles, across a
// sequence-number wrap and out of order. A wrong key must garble the tag (it then counts as loss).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RolloverCounter, SRTP_AES128_CM_HMAC_SHA1_80, SrtpCryptoContext } from '@parley/rtp';
import { SRTP_TEST_PROFILES } from '@parley/rtp/test/fixtures';
import { rtpHeader, SenderSrtp } from '../src/lib/senderSrtp.js';
import { TAG_OFFSET } from '../src/lib/synthRtp.js';
import { advance, TagDecoder } from '../src/lib/tagDecoder.js';

const PROFILES = SRTP_TEST_PROFILES.map(({ name, id, saltLength }) => ({
  name,
  profile: id,
  saltBytes: saltLength,
}));

/** A payload of `size` bytes carrying the bench's tag: source id, packet number, send time. */
function tagged(size: number, sourceId: number, number: number, sentAt: number): Buffer {
  const payload = randomBytes(size);
  payload.writeUInt32BE(sourceId, TAG_OFFSET);
  payload.writeUInt32BE(number, TAG_OFFSET + 4);
  payload.writeDoubleBE(sentAt, TAG_OFFSET + 8);
  return payload;
}

/** `count` SRTP packets of one stream from sequence number `firstSeq`, numbered from 1. */
function stream(sender: SenderSrtp, ssrc: number, firstSeq: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    sender.protect(
      { payloadType: 111, sequenceNumber: (firstSeq + i) & 0xffff, timestamp: i * 960, ssrc },
      tagged(160 + (i % 7) * 100, 42, i + 1, 1000.5 + i),
    ),
  );
}

/** Reads `packets` in the given order as a light receiver does; the tags read, by packet number. */
function readAll(decoder: TagDecoder, packets: Buffer[], order: number[]): Map<number, number[]> {
  const counter = new RolloverCounter();
  const read = new Map<number, number[]>();
  for (const i of order) {
    const packet = packets[i]!;
    const { roc } = advance(counter, packet.readUInt16BE(2));
    assert.ok(decoder.read(packet, roc), `packet ${i} holds a tag`);
    read.set(i + 1, [decoder.sourceId, decoder.number, decoder.sentAt]);
  }
  return read;
}

describe('the tag decoder', () => {
  for (const { name, profile, saltBytes } of PROFILES) {
    it(`reads the tags of ${name} packets across a sequence wrap, in and out of order`, () => {
      const key = randomBytes(16);
      const salt = randomBytes(saltBytes);
      const packets = stream(new SenderSrtp(profile, key, salt), 0xdeadbeef, 65_500, 200);
      const inOrder = readAll(new TagDecoder(profile, key, salt), packets, [...packets.keys()]);
      // Packets 61–100 before 11–60: each batch of keystream computed ahead (32 packets) is missed, then
      // the late ones arrive from before the jump.
      const order = [...packets.keys()];
      const outOfOrder = readAll(new TagDecoder(profile, key, salt), packets, [
        ...order.slice(0, 10),
        ...order.slice(60, 100),
        ...order.slice(10, 60),
      ]);
      for (let n = 1; n <= 100; n++) {
        assert.deepEqual(inOrder.get(n), [42, n, 1000.5 + n - 1], `in order, packet ${n}`);
        assert.deepEqual(outOfOrder.get(n), [42, n, 1000.5 + n - 1], `out of order, packet ${n}`);
      }
      for (let n = 101; n <= 200; n++) assert.deepEqual(inOrder.get(n), [42, n, 1000.5 + n - 1]);
    });

    it(`garbles the tag of ${name} packets read with another key`, () => {
      const salt = randomBytes(saltBytes);
      const packets = stream(new SenderSrtp(profile, randomBytes(16), salt), 7, 1, 40);
      const read = readAll(new TagDecoder(profile, randomBytes(16), salt), packets, [...packets.keys()]);
      const right = [...read].filter(([n, tag]) => tag[0] === 42 && tag[1] === n).length;
      assert.equal(right, 0);
    });
  }

  it('reports the gap a packet skips past the highest sequence number, across the wrap', () => {
    const counter = new RolloverCounter();
    assert.deepEqual(advance(counter, 65_534), { roc: 0, gap: 0 });
    assert.deepEqual(advance(counter, 65_535), { roc: 0, gap: 0 });
    assert.deepEqual(advance(counter, 3), { roc: 1, gap: 3 });
    assert.deepEqual(advance(counter, 1), { roc: 1, gap: 0 });
    assert.deepEqual(advance(counter, 65_535), { roc: 0, gap: 0 });
  });

  it('refuses a packet too short to hold a tag', () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const short = new SenderSrtp(SRTP_AES128_CM_HMAC_SHA1_80, key, salt).protect(
      { payloadType: 111, sequenceNumber: 1, timestamp: 0, ssrc: 1 },
      Buffer.alloc(TAG_OFFSET + 15),
    );
    assert.equal(new TagDecoder(SRTP_AES128_CM_HMAC_SHA1_80, key, salt).read(short, 0), false);
  });
});

describe("the bench senders' SRTP", () => {
  for (const { name, profile, saltBytes } of PROFILES) {
    it(`is what @parley/rtp's receiver authenticates and decrypts (${name})`, () => {
      const key = randomBytes(16);
      const salt = randomBytes(saltBytes);
      const sender = new SenderSrtp(profile, key, salt);
      const receiver = new SrtpCryptoContext(profile, key, salt);
      for (let i = 0; i < 80; i++) {
        const fields = {
          payloadType: 96,
          sequenceNumber: (65_500 + i) & 0xffff,
          timestamp: i,
          ssrc: 9,
          marker: i % 3 === 0,
        };
        const payload = randomBytes(100 + i);
        const plain = receiver.unprotectRtp(sender.protect(fields, payload));
        assert.deepEqual(plain, Buffer.concat([rtpHeader(fields), payload]));
      }
    });
  }
});
