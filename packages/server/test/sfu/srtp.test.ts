/**
 * The SFU's own SRTP/SRTCP contexts against werift's, byte for byte: key derivation, HMAC-SHA1, both
 * protection profiles over long packet runs (sequence wraps, so the ROC moves; reordering and
 * retransmissions), SRTCP with its index, unprotect of werift's output and werift's unprotect of ours,
 * forgeries, and the ROC cases where the contexts deliberately follow RFC 3711 rather than werift.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RtpHeader, SrtcpSession, SrtpAuthenticationError, SrtpSession } from 'werift';
import { NATIVE_FROM } from '../../src/sfu/srtp/aesGcmTransform.js';
import { HmacSha1 } from '../../src/sfu/srtp/hmacSha1.js';
import { deriveSessionKeys } from '../../src/sfu/srtp/keyDerivation.js';
import { RolloverCounter } from '../../src/sfu/srtp/rolloverCounter.js';
import {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpCryptoContext,
} from '../../src/sfu/srtp/SrtpCryptoContext.js';

const PROFILES = [
  { name: 'AES_CM_128_HMAC_SHA1_80', id: SRTP_AES128_CM_HMAC_SHA1_80, saltLength: 14 },
  { name: 'AEAD_AES_128_GCM', id: SRTP_AEAD_AES_128_GCM, saltLength: 12 },
] as const;

/** A seeded generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n) => next() % n,
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}

function keysFor(r: ReturnType<typeof rng>, saltLength: number) {
  return {
    localMasterKey: r.bytes(16),
    localMasterSalt: r.bytes(saltLength),
    remoteMasterKey: r.bytes(16),
    remoteMasterSalt: r.bytes(saltLength),
  };
}

/** werift's session and ours over the same keys (`local` protects, `remote` unprotects). */
function pair(profile: (typeof PROFILES)[number], seed: number) {
  const keys = keysFor(rng(seed), profile.saltLength);
  const config = { keys, profile: profile.id };
  // werift's peer: its local keys are our remote ones.
  const mirrored = {
    keys: {
      localMasterKey: keys.remoteMasterKey,
      localMasterSalt: keys.remoteMasterSalt,
      remoteMasterKey: keys.localMasterKey,
      remoteMasterSalt: keys.localMasterSalt,
    },
    profile: profile.id,
  };
  return {
    werift: new SrtpSession(config),
    weriftRtcp: new SrtcpSession(config),
    weriftPeer: new SrtpSession(mirrored),
    weriftPeerRtcp: new SrtcpSession(mirrored),
    local: new SrtpCryptoContext(profile.id, keys.localMasterKey, keys.localMasterSalt),
    remote: new SrtpCryptoContext(profile.id, keys.remoteMasterKey, keys.remoteMasterSalt),
  };
}

function header(r: ReturnType<typeof rng>, seq: number, ssrc: number, rich: boolean): RtpHeader {
  const h = new RtpHeader({
    payloadType: 96 + r.int(30),
    sequenceNumber: seq,
    timestamp: r.int(0x100000000),
    ssrc,
    marker: r.int(2) === 1,
  });
  if (rich) {
    // werift's general serializer: CSRCs and one-byte header extensions.
    h.csrc = [r.int(0x100000000), r.int(0x100000000)];
    h.extensionProfile = 0xbede;
    h.extensions = [
      { id: 1, payload: r.bytes(1 + r.int(4)) },
      { id: 3, payload: r.bytes(3) },
    ];
  }
  return h;
}

test('session keys are derived as werift derives them', () => {
  for (const profile of PROFILES) {
    for (let seed = 1; seed <= 20; seed++) {
      const keys = keysFor(rng(seed * 7919), profile.saltLength);
      const ours = deriveSessionKeys(keys.localMasterKey, keys.localMasterSalt);
      const theirs = (new SrtpSession({ keys, profile: profile.id }) as any).localContext;
      assert.deepEqual(ours.rtpKey, theirs.srtpSessionKey, `${profile.name} SRTP key`);
      assert.deepEqual(ours.rtpSalt, theirs.srtpSessionSalt, `${profile.name} SRTP salt`);
      assert.deepEqual(ours.rtpAuthKey, theirs.srtpSessionAuthTag, `${profile.name} SRTP auth key`);
      assert.deepEqual(ours.rtcpKey, theirs.srtcpSessionKey, `${profile.name} SRTCP key`);
      assert.deepEqual(ours.rtcpSalt, theirs.srtcpSessionSalt, `${profile.name} SRTCP salt`);
      assert.deepEqual(ours.rtcpAuthKey, theirs.srtcpSessionAuthTag, `${profile.name} SRTCP auth key`);
    }
  }
});

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
  }
  const largest = r.bytes(0x10000);
  const out = Buffer.alloc(20);
  macs[0]!.tag(largest, 0, largest.length, 0xfedcba98, out, 0, 20);
  const roc = Buffer.from([0xfe, 0xdc, 0xba, 0x98]);
  assert.deepEqual(out, createHmac('sha1', keys[0]!).update(largest).update(roc).digest());
  const tooLong = Buffer.alloc(0x10001);
  assert.throws(() => macs[0]!.tag(tooLong, 0, tooLong.length, 1, out, 0, 10), RangeError);
});

test('the WebAssembly HMAC module is what its generator compiles to (scripts/build-wasm.mjs --check)', () => {
  const script = fileURLToPath(new URL('../../../../../scripts/build-wasm.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

for (const profile of PROFILES) {
  test(`${profile.name}: RTP protection is werift's, byte for byte, over five sequence wraps`, () => {
    const r = rng(profile.id * 1000 + 1);
    const { werift, weriftPeer, local } = pair(profile, profile.id * 31);
    const ssrcs = [0x11223344, 0xdeadbeef];
    const seqs = [65000, 30000];
    let wraps = 0;
    let count = 0;
    let previous = -1;
    while (wraps < 5) {
      const i = r.int(2);
      const ssrc = ssrcs[i]!;
      const seq = seqs[i]!;
      // Mostly in order with gaps; sometimes a retransmission from up to 90 packets back.
      const retransmission = r.int(50) === 0;
      const sent = retransmission ? (seq - 1 - r.int(90)) & 0xffff : seq;
      if (!retransmission) {
        // Small steps near the wrap (werift's heuristic is only right there within 100), big ones elsewhere.
        const nearWrap = seq > 65000 || seq < 500;
        seqs[i] = (seq + 1 + r.int(nearWrap ? 3 : 300)) & 0xffff;
        if (i === 0) {
          if (sent < previous) wraps += 1;
          previous = sent;
        }
      }
      const payload = r.bytes(r.int(10) === 0 ? r.int(1300) : r.int(200));
      const h = header(r, sent, ssrc, r.int(20) === 0);
      const ours = local.protectRtp(h, payload);
      const theirs = werift.encrypt(payload, h);
      assert.deepEqual(ours, theirs, `packet ${count} seq ${sent} ssrc ${ssrc.toString(16)}`);
      if (count % 7 === 0) {
        // werift's peer reads what we sent.
        const plain = weriftPeer.decrypt(ours);
        assert.deepEqual(plain.subarray(plain.length - payload.length), payload);
      }
      count += 1;
    }
    assert.equal(local.rolloverCounter(ssrcs[0]!).roc, 5, 'the ROC moved with the wraps');
    assert.ok(count > 5000, `${count} packets`);
  });

  test(`${profile.name}: packets sealed in keystream computed ahead are werift's, byte for byte`, () => {
    const r = rng(profile.id * 1000 + 7);
    const { werift, weriftPeer, local } = pair(profile, profile.id * 53);
    const ssrc = 0x7e57;
    const stream = local.stream(ssrc);
    const history: { h: RtpHeader; payload: Buffer }[] = [];
    const checks: { ours: Buffer; theirs: Buffer; what: string }[] = [];
    let seq = 65200;
    let sealed = 0;
    let alone = 0;
    for (let n = 0; n < 4000; n++) {
      let h: RtpHeader;
      let payload: Buffer;
      // A retransmission of a packet up to 90 sequence numbers back (where werift's ROC guess is right too):
      // never sealed ahead.
      const back = history.filter((p) => ((seq - p.h.sequenceNumber) & 0xffff) < 90);
      if (back.length > 0 && r.int(20) === 0) {
        ({ h, payload } = back[r.int(back.length)]!);
      } else {
        seq = (seq + 1 + (r.int(10) === 0 ? r.int(20) : 0)) & 0xffff;
        // Audio-sized mostly, video-sized now and then: the regions grow.
        payload = r.bytes(r.int(8) === 0 ? 500 + r.int(800) : r.int(300));
        h = header(r, seq, ssrc, false);
        history.push({ h, payload });
      }
      const bytes = h.serialize(12);
      let ours = local.sealRtp(bytes, payload, stream);
      if (ours) sealed += 1;
      else {
        alone += 1;
        ours = local.protectRtpCopy(bytes, payload, stream);
      }
      const theirs = werift.encrypt(payload, h);
      checks.push({ ours, theirs, what: `packet ${n}, seq ${h.sequenceNumber}, ${payload.length} bytes` });
      if (n % 11 === 0) assert.deepEqual(weriftPeer.decrypt(ours).subarray(12), payload);
    }
    // Checked at the end: sealing a packet never touches the bytes of one sent before.
    for (const { ours, theirs, what } of checks) assert.deepEqual(ours, theirs, what);
    assert.ok(sealed > 2000 && alone > 100, `${sealed} sealed ahead, ${alone} on their own`);
    assert.equal(stream.roc.roc, 1, 'the ROC moved with the wrap');
  });

  test(`${profile.name}: every payload size, both sides of the native-cipher threshold`, () => {
    const r = rng(profile.id * 1000 + 6);
    const { werift, weriftPeer, local, remote } = pair(profile, profile.id * 47);
    const sizes = [0, 1, 15, 16, 17, NATIVE_FROM - 1, NATIVE_FROM, NATIVE_FROM + 1, 1200, 1400];
    for (let size = 0; size <= 1400; size += 13) sizes.push(size);
    let seq = 65500;
    for (const size of sizes) {
      seq = (seq + 1) & 0xffff;
      const payload = r.bytes(size);
      const h = header(r, seq, 0x1234, false);
      const ours = local.protectRtp(h, payload);
      assert.deepEqual(ours, werift.encrypt(payload, h), `protect, ${size} bytes`);
      const theirs = weriftPeer.encrypt(payload, h);
      assert.deepEqual(
        remote.unprotectRtp(theirs),
        Buffer.concat([h.serialize(12), payload]),
        `${size} bytes`,
      );
      const forged = Buffer.from(theirs);
      forged[forged.length - 1]! ^= 0x80;
      assert.throws(() => remote.unprotectRtp(forged), SrtpAuthenticationError, `forged, ${size} bytes`);
    }
  });

  test(`${profile.name}: RTP unprotection reads werift's packets and refuses forgeries`, () => {
    const r = rng(profile.id * 1000 + 2);
    const { werift, weriftPeer, remote } = pair(profile, profile.id * 37);
    let seq = 65400;
    for (let n = 0; n < 2500; n++) {
      seq = (seq + 1 + (r.int(10) === 0 ? r.int(40) : 0)) & 0xffff;
      const payload = r.bytes(r.int(6) === 0 ? 900 + r.int(400) : r.int(300));
      const h = header(r, seq, 0x5eed, r.int(10) === 0);
      const packet = weriftPeer.encrypt(payload, h);
      const plain = remote.unprotectRtp(packet);
      assert.deepEqual(plain, werift.decrypt(packet), `packet ${n}`);
      assert.deepEqual(plain.subarray(plain.length - payload.length), payload, `packet ${n}`);
      if (n % 50 === 0) {
        const forged = Buffer.from(packet);
        const at = r.int(forged.length);
        forged[at] = forged[at]! ^ (1 << r.int(8));
        assert.throws(() => remote.unprotectRtp(forged), SrtpAuthenticationError, `forgery at byte ${at}`);
      }
    }
    assert.equal(remote.rolloverCounter(0x5eed).roc, 1, 'one wrap seen');
    assert.throws(() => remote.unprotectRtp(Buffer.alloc(11)), SrtpAuthenticationError, 'too short');
  });

  test(`${profile.name}: SRTCP protection is werift's, byte for byte, and both read each other`, () => {
    const r = rng(profile.id * 1000 + 3);
    const { weriftRtcp, weriftPeerRtcp, local, remote } = pair(profile, profile.id * 41);
    const ssrcs = [1, 0xcafebabe, 77];
    for (let n = 0; n < 600; n++) {
      const rtcp = r.bytes(8 + 4 * r.int(60));
      rtcp[0] = 0x80;
      rtcp[1] = 200 + r.int(7);
      rtcp.writeUInt32BE(ssrcs[r.int(3)]!, 4);
      const ours = local.protectRtcp(rtcp);
      assert.deepEqual(ours, weriftRtcp.encrypt(rtcp), `packet ${n}`);
      assert.deepEqual(weriftPeerRtcp.decrypt(ours), rtcp);
      const back = weriftPeerRtcp.encrypt(rtcp);
      assert.deepEqual(remote.unprotectRtcp(back), rtcp);
      const forged = Buffer.from(back);
      forged[r.int(forged.length)]! ^= 0x40;
      assert.throws(() => remote.unprotectRtcp(forged), SrtpAuthenticationError);
    }
    // The 31-bit index starts over at 0 after its last value, as in werift.
    local.setRtcpIndex(1, 0x7ffffffe);
    (weriftRtcp as any).localContext.getSrtcpSsrcState(1).srtcpIndex = 0x7ffffffe;
    const rtcp = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
    for (let n = 0; n < 3; n++) assert.deepEqual(local.protectRtcp(rtcp), weriftRtcp.encrypt(rtcp));
    const last = local.protectRtcp(rtcp);
    const indexAt = last.length - (profile.id === SRTP_AEAD_AES_128_GCM ? 4 : 14);
    assert.equal(last.readUInt32BE(indexAt), (0x80000000 | 2) >>> 0, 'index 0 came after 0x7fffffff');
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
    assert.throws(() => ctx.unprotectRtcp(forged), SrtpAuthenticationError);
  });

  test(`${profile.name}: where werift's ROC guess is wrong, the RFC 3711 index is used`, () => {
    const r = rng(profile.id * 1000 + 5);
    const { werift, local } = pair(profile, profile.id * 43);
    const cipher = (werift as any).localContext.cipher;
    const ssrc = 0xabcdef01;
    const send = (seq: number) => {
      const h = header(r, seq, ssrc, false);
      const payload = r.bytes(50);
      return { ours: local.protectRtp(h, payload), at: (roc: number) => cipher.encryptRtp(h, payload, roc) };
    };
    for (let seq = 200; seq < 500; seq++) send(seq);
    // A retransmission of sequence number 0 (sent long before, at ROC 0): werift would move to ROC 1.
    let p = send(0);
    assert.deepEqual(p.ours, p.at(0));
    p = send(500);
    assert.deepEqual(p.ours, p.at(0), 'the stream stays at ROC 0');
    // A jump of more than 100 packets across the wrap: ROC 1 (werift would stay at 0).
    for (let seq = 65300; seq < 65536; seq++) send(seq);
    p = send(150);
    assert.deepEqual(p.ours, p.at(1));
    // A retransmission from before that wrap, 300 packets back: ROC 0 again.
    p = send(65386);
    assert.deepEqual(p.ours, p.at(0));
    p = send(151);
    assert.deepEqual(p.ours, p.at(1));
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
