/**
 * The SRTP contexts on their own: HMAC-SHA1 against node:crypto, the generated WebAssembly module, SRTCP
 * built by hand from RFC 3711 / RFC 7714, both profiles reading what they wrote (and refusing forgeries with
 * SrtpAuthError), and the rollover counter. The byte-for-byte comparisons with werift's contexts live with the
 * SFU's werift adapter (packages/server/test/sfu/srtp.test.ts): this package depends on no RTP stack.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  deriveSessionKeys,
  RolloverCounter,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpAuthError,
  SrtpCryptoContext,
} from '../src/index.js';
import { HmacSha1, hmacKeySlots, tagInSlot } from '../src/srtp/hmacSha1.js';
import { rng, SRTP_TEST_PROFILES } from './support/fixtures.js';

const PROFILES = SRTP_TEST_PROFILES;

/** A 12-byte RTP header (version 2, no marker, padding, extension or CSRC). */
function rtpHeader(payloadType: number, seq: number, timestamp: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = payloadType;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(timestamp, 4);
  header.writeUInt32BE(ssrc, 8);
  return header;
}

test('HMAC-SHA1 equals createHmac for every length, with and without the ROC word', () => {
  const r = rng(42);
  for (const keyLength of [20, 64, 80]) {
    const key = r.bytes(keyLength);
    const mac = new HmacSha1(key);
    for (let length = 0; length <= 1500; length += length < 200 ? 1 : 37) {
      const data = r.bytes(length + 7);
      const start = r.int(7);
      const message = data.subarray(start, start + length);
      for (const suffix of [null, r.int(0x100000000)]) {
        const expected = createHmac('sha1', key).update(message);
        if (suffix !== null)
          expected.update(Buffer.from([suffix >>> 24, suffix >>> 16, suffix >>> 8, suffix]));
        const out = Buffer.alloc(24);
        mac.tag(data, start, start + length, suffix, out, 2, 20);
        assert.deepEqual(out.subarray(2, 22), expected.digest(), `key ${keyLength}, length ${length}`);
      }
    }
  }
});

test('HMAC-SHA1 keys sharing the WebAssembly module do not leak into each other; the largest message; too long', () => {
  const r = rng(7);
  const keys = [r.bytes(20), r.bytes(20), r.bytes(20)];
  const macs = keys.map((k) => new HmacSha1(k));
  for (let i = 0; i < 60; i++) {
    const k = r.int(3);
    const message = r.bytes(r.int(1300));
    const out = Buffer.alloc(10);
    macs[k]!.tag(message, 0, message.length, i, out, 0, 10);
    const expected = createHmac('sha1', keys[k]!)
      .update(message)
      .update(Buffer.from([0, 0, 0, i]))
      .digest();
    assert.deepEqual(out, expected.subarray(0, 10), `tag ${i} with key ${k}`);
    // The same tag through the key's slot number, as the AES-CM transform computes it.
    const bySlot = Buffer.alloc(10);
    tagInSlot(macs[k]!.slot, message, 0, message.length, i, bySlot, 0, 10);
    assert.deepEqual(bySlot, out, `tag ${i} by slot ${macs[k]!.slot}`);
  }
  const largest = r.bytes(0x10000);
  const out = Buffer.alloc(20);
  macs[0]!.tag(largest, 0, largest.length, 0xfedcba98, out, 0, 20);
  const roc = Buffer.from([0xfe, 0xdc, 0xba, 0x98]);
  assert.deepEqual(out, createHmac('sha1', keys[0]!).update(largest).update(roc).digest());
  const tooLong = Buffer.alloc(0x10001);
  assert.throws(() => macs[0]!.tag(tooLong, 0, tooLong.length, 1, out, 0, 10), RangeError);
});

test('HMAC-SHA1: thousands of keys (the module memory grows) keep their own states; collected keys free their slots', async () => {
  const r = rng(11);
  /** `count` keys, each checked against createHmac on a message of its own. */
  const checkedKeys = (count: number): { keys: Uint8Array[]; macs: HmacSha1[] } => {
    const keys = Array.from({ length: count }, () => r.bytes(20));
    const macs = keys.map((k) => new HmacSha1(k));
    const out = Buffer.alloc(10);
    for (let i = 0; i < count; i++) {
      const message = r.bytes(1 + r.int(300));
      macs[i]!.tag(message, 0, message.length, i, out, 0, 10);
      const expected = createHmac('sha1', keys[i]!)
        .update(message)
        .update(Buffer.from([i >>> 24, i >>> 16, i >>> 8, i]))
        .digest();
      assert.deepEqual(out, expected.subarray(0, 10), `key ${i} of ${count}`);
    }
    return { keys, macs };
  };
  // 4,000 keys need more than the module's first two pages (1,638 keys a page).
  const kept = checkedKeys(4000);
  checkedKeys(3000); // dropped at once
  const made = hmacKeySlots().made;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The registry frees a collected key's slot in a task of its own after the collection.
  for (let i = 0; i < 100 && hmacKeySlots().free < 3000; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(hmacKeySlots().free >= 3000, true, 'the 3,000 dropped keys freed their slots');
  checkedKeys(3000);
  assert.equal(hmacKeySlots().made, made, 'new keys took the freed slots');
  // The kept keys' states were not overwritten by the new keys in reused slots.
  const message = Buffer.from('the kept keys');
  const out = Buffer.alloc(20);
  for (let i = 0; i < kept.macs.length; i += 7) {
    kept.macs[i]!.tag(message, 0, message.length, null, out, 0, 20);
    assert.deepEqual(out, createHmac('sha1', kept.keys[i]!).update(message).digest(), `kept key ${i}`);
  }
});

test('the WebAssembly HMAC module is what its generator compiles to (scripts/build-wasm.mjs --check)', () => {
  const script = fileURLToPath(new URL('../../../../scripts/build-wasm.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('an unsupported profile or key size is refused', () => {
  assert.throws(() => new SrtpCryptoContext(0x0002, Buffer.alloc(16), Buffer.alloc(14)), RangeError);
  assert.throws(
    () => new SrtpCryptoContext(SRTP_AES128_CM_HMAC_SHA1_80, Buffer.alloc(32), Buffer.alloc(14)),
    RangeError,
  );
});

for (const profile of PROFILES) {
  test(`${profile.name}: what one context protects the other reads, across a wrap; forgeries throw SrtpAuthError`, () => {
    const r = rng(profile.id * 1000 + 9);
    const key = r.bytes(16);
    const salt = r.bytes(profile.saltLength);
    const sender = new SrtpCryptoContext(profile.id, key, salt);
    const receiver = new SrtpCryptoContext(profile.id, key, salt);
    const ssrc = 0x600df00d;
    const stream = sender.stream(ssrc);
    let seq = 65000;
    for (let n = 0; n < 1500; n++) {
      seq = (seq + 1) & 0xffff;
      const header = rtpHeader(96, seq, n * 3000, ssrc);
      const payload = r.bytes(r.int(1200));
      const packet = stream.sealRtp(header, payload) ?? sender.protectRtpCopy(header, payload, stream);
      assert.equal(packet.length, 12 + payload.length + sender.rtpOverhead);
      if (n % 10 === 0) {
        const forged = Buffer.from(packet);
        forged[r.int(forged.length)]! ^= 1 << r.int(8);
        assert.throws(() => receiver.unprotectRtp(forged), SrtpAuthError, `forgery of packet ${n}`);
      }
      assert.deepEqual(
        receiver.unprotectRtp(Buffer.from(packet)),
        Buffer.concat([header, payload]),
        `packet ${n}`,
      );
    }
    assert.equal(receiver.rolloverCounter(ssrc).roc, 1, 'one wrap seen');
    const rtcp = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 7]);
    assert.deepEqual(receiver.unprotectRtcp(sender.protectRtcp(rtcp)), rtcp);
    const error = (() => {
      try {
        receiver.unprotectRtcp(Buffer.alloc(9));
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(error instanceof SrtpAuthError, 'a short SRTCP packet');
    assert.equal(error.what, 'SRTCP');
    assert.throws(() => receiver.unprotectRtp(Buffer.alloc(11)), SrtpAuthError, 'a short SRTP packet');
  });

  test(`${profile.name}: warming a stream ahead of each packet (a fan-out's warm pass) changes nothing it seals`, () => {
    const r = rng(profile.id * 1000 + 11);
    const key = r.bytes(16);
    const salt = r.bytes(profile.saltLength);
    const plain = new SrtpCryptoContext(profile.id, key, salt);
    const warmed = new SrtpCryptoContext(profile.id, key, salt);
    const ssrc = 0xfedc0001;
    const plainStream = plain.stream(ssrc);
    const warmedStream = warmed.stream(ssrc);
    assert.ok(Number.isFinite(warmedStream.warm()), 'a stream that sealed nothing yet');
    let seq = 65400;
    for (let n = 0; n < 400; n++) {
      seq = (seq + 1 + (n % 50 === 49 ? r.int(3) : 0)) & 0xffff; // in order, across a wrap, with a few gaps
      const header = rtpHeader(111, seq, n * 960, ssrc);
      const payload = r.bytes(1 + r.int(1300));
      const expected =
        plainStream.sealRtp(header, payload) ?? plain.protectRtpCopy(header, payload, plainStream);
      assert.ok(Number.isFinite(warmedStream.warm()));
      assert.ok(Number.isFinite(warmedStream.warm()), 'twice in a row');
      const packet =
        warmedStream.sealRtp(header, payload) ?? warmed.protectRtpCopy(header, payload, warmedStream);
      assert.deepEqual(packet, expected, `packet ${n}`);
    }
    assert.equal(warmedStream.roc, plainStream.roc);
    assert.equal(warmedStream.highestSeq, plainStream.highestSeq);
  });

  test(`${profile.name}: the RTP cipher is made by the first RTP packet; a context that reads only SRTCP makes none`, () => {
    const r = rng(profile.id * 1000 + 5);
    const key = r.bytes(16);
    const salt = r.bytes(profile.saltLength);
    // A player's transport: the SFU's local context protects RTP and RTCP, its remote one reads the player's RTCP.
    const local = new SrtpCryptoContext(profile.id, key, salt);
    const remote = new SrtpCryptoContext(profile.id, key, salt);
    // The transforms' own fields (private): the AES-CM transform's RTP cipher, the AES-GCM key's cipher.
    const rtpCipherMade = (ctx: SrtpCryptoContext): boolean => {
      const transform = (ctx as unknown as { transform: Record<string, unknown> }).transform;
      if (profile.id === SRTP_AES128_CM_HMAC_SHA1_80) return transform['rtpAes'] !== null;
      return (transform['rtp'] as Record<string, unknown>)['cipher'] !== null;
    };
    assert.equal(rtpCipherMade(local), false);
    const rtcp = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 7]);
    assert.deepEqual(remote.unprotectRtcp(local.protectRtcp(rtcp)), rtcp);
    assert.equal(rtpCipherMade(local), false, 'SRTCP alone makes no RTP cipher');
    assert.equal(rtpCipherMade(remote), false);
    const header = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9]);
    const payload = r.bytes(300);
    const packet = local.stream(9).sealRtp(header, payload)!;
    assert.equal(rtpCipherMade(local), true);
    assert.deepEqual(remote.unprotectRtp(Buffer.from(packet)), Buffer.concat([header, payload]));
    assert.equal(rtpCipherMade(remote), true);
  });

  test(`${profile.name}: SRTCP sent unencrypted (E flag 0) is authenticated and read`, () => {
    const r = rng(profile.id * 1000 + 4);
    const masterKey = r.bytes(16);
    const masterSalt = r.bytes(profile.saltLength);
    const ctx = new SrtpCryptoContext(profile.id, masterKey, masterSalt);
    const k = deriveSessionKeys(masterKey, masterSalt);
    const rtcp = r.bytes(40);
    rtcp[0] = 0x81;
    rtcp[1] = 201;
    const index = 12345;
    const indexWord = Buffer.alloc(4);
    indexWord.writeUInt32BE(index);
    let packet: Buffer;
    if (profile.id === SRTP_AES128_CM_HMAC_SHA1_80) {
      const body = Buffer.concat([rtcp, indexWord]);
      const tag = createHmac('sha1', k.rtcpAuthKey).update(body).digest().subarray(0, 10);
      packet = Buffer.concat([body, tag]);
    } else {
      const iv = Buffer.from(k.rtcpSalt.subarray(0, 12));
      const ivWords = Buffer.alloc(12);
      ivWords.writeUInt32BE(rtcp.readUInt32BE(4), 2);
      ivWords.writeUInt32BE(index, 8);
      for (let i = 0; i < 12; i++) iv[i]! ^= ivWords[i]!;
      const gcm = createCipheriv('aes-128-gcm', k.rtcpKey, iv);
      gcm.setAAD(Buffer.concat([rtcp, indexWord]));
      gcm.final();
      packet = Buffer.concat([rtcp, gcm.getAuthTag(), indexWord]);
    }
    assert.deepEqual(ctx.unprotectRtcp(packet), rtcp);
    const forged = Buffer.from(packet);
    forged[10]! ^= 1;
    assert.throws(() => ctx.unprotectRtcp(forged), SrtpAuthError);
  });
}

test('the rollover counter follows RFC 3711 Appendix A', () => {
  const c = new RolloverCounter();
  assert.equal(c.next(65534), 0);
  assert.equal(c.next(65535), 0);
  assert.equal(c.next(3), 1, 'wrap');
  assert.equal(c.next(65530), 0, 'late packet from before the wrap');
  assert.equal(c.next(4), 1);
  assert.equal(c.roc, 1);
  assert.equal(c.highestSeq, 4);
  const fresh = new RolloverCounter();
  assert.equal(fresh.next(40000), 0);
  assert.equal(fresh.estimate(100), 1, 'more than half the space ahead: next cycle');
  assert.equal(fresh.estimate(20000), 0);
  const start = new RolloverCounter();
  assert.equal(start.next(10), 0);
  assert.equal(start.estimate(60000), 0, 'nothing before index 0');
});
