/**
 * @parley/rtp's SRTP/SRTCP contexts against werift's, byte for byte, as the SFU's werift adapter puts them
 * under werift: key derivation, both protection profiles over long packet runs (sequence wraps, so the ROC
 * moves; reordering and retransmissions), SRTCP with its index, unprotect of werift's output and werift's
 * unprotect of ours, forgeries, the ROC cases where the contexts deliberately follow RFC 3711 rather than
 * werift, and the adapter's translation of a failed authentication into werift's own error. (The contexts'
 * tests that need no werift are in packages/rtp/test/srtp.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSessionKeys, SRTP_AEAD_AES_128_GCM, SrtpAuthError, SrtpCryptoContext } from '@parley/rtp';
import { rng, SRTP_TEST_PROFILES } from '@parley/rtp/test/fixtures';
import {
  Event,
  RTCDtlsTransport,
  RtpHeader,
  SrtcpSession,
  SrtpAuthenticationError,
  SrtpSession,
} from 'werift';
import { fastSrtpOf, installFastSrtp } from '../../src/sfu/werift/weriftSrtp.js';

const PROFILES = SRTP_TEST_PROFILES;

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
      let ours = stream.sealRtp(bytes, payload);
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
    assert.equal(stream.roc, 1, 'the ROC moved with the wrap');
  });

  test(`${profile.name}: every payload size up to 1400 (both sides of any native-cipher threshold)`, () => {
    const r = rng(profile.id * 1000 + 6);
    const { werift, weriftPeer, local, remote } = pair(profile, profile.id * 47);
    const sizes: number[] = [];
    for (let size = 0; size <= 1400; size++) sizes.push(size);
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
      assert.throws(() => remote.unprotectRtp(forged), SrtpAuthError, `forged, ${size} bytes`);
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
        assert.throws(() => remote.unprotectRtp(forged), SrtpAuthError, `forgery at byte ${at}`);
      }
    }
    assert.equal(remote.rolloverCounter(0x5eed).roc, 1, 'one wrap seen');
    assert.throws(() => remote.unprotectRtp(Buffer.alloc(11)), SrtpAuthError, 'too short');
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
      assert.throws(() => remote.unprotectRtcp(forged), SrtpAuthError);
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

test("through werift's DtlsTransport: our contexts read its packets, and a forgery is dropped quietly", () => {
  for (const profile of PROFILES) {
    const r = rng(profile.id * 1000 + 8);
    const keys = keysFor(r, profile.saltLength);
    // A real RTCDtlsTransport whose DTLS handshake is stood in for: the inner socket gives the SRTP profile and
    // keys, the ICE transport is an event werift subscribes its packet handler to.
    const onData = new Event<[Buffer]>();
    const dtls = new RTCDtlsTransport({} as any, { connection: { onData } } as any, [] as any);
    (dtls as any).dtls = {
      srtp: { srtpProfile: profile.id },
      extractSessionKeys: () => ({
        localKey: keys.localMasterKey,
        localSalt: keys.localMasterSalt,
        remoteKey: keys.remoteMasterKey,
        remoteSalt: keys.remoteMasterSalt,
      }),
    };
    dtls.startSrtp();
    installFastSrtp(dtls);
    assert.ok(fastSrtpOf(dtls), `${profile.name}: our contexts are in place`);
    const received: number[] = [];
    dtls.onRtp.subscribe((rtp) => received.push(rtp.header.sequenceNumber));
    const peer = new SrtpSession({
      keys: {
        localMasterKey: keys.remoteMasterKey,
        localMasterSalt: keys.remoteMasterSalt,
        remoteMasterKey: keys.localMasterKey,
        remoteMasterSalt: keys.localMasterSalt,
      },
      profile: profile.id,
    });
    const packet = (seq: number) => peer.encrypt(r.bytes(100), header(r, seq, 0x1234, false));
    onData.execute(packet(1));
    const forged = packet(2);
    forged[forged.length - 1]! ^= 1;
    assert.doesNotThrow(() => onData.execute(forged), `${profile.name}: a forgery is dropped, not thrown`);
    assert.doesNotThrow(() => onData.execute(packet(3).subarray(0, 14)), `${profile.name}: so is a runt`);
    onData.execute(packet(4));
    assert.deepEqual(received, [1, 4], `${profile.name}: the packets that authenticated, only`);
    // Why the adapter translates: werift lets any other error out of its packet handler.
    (dtls as any).srtp = {
      decrypt: () => {
        throw new SrtpAuthError('SRTP');
      },
    };
    assert.throws(() => onData.execute(packet(5)), SrtpAuthError);
  }
});

test("the adapter rethrows a failed authentication as werift's SrtpAuthenticationError", () => {
  const profile = PROFILES[0];
  const config = { keys: keysFor(rng(99), profile.saltLength), profile: profile.id };
  const dtls = {
    srtpStarted: true,
    srtp: new SrtpSession(config),
    srtcp: new SrtcpSession(config),
  } as unknown as RTCDtlsTransport;
  installFastSrtp(dtls);
  assert.ok(fastSrtpOf(dtls));
  assert.throws(() => dtls.srtp.decrypt(Buffer.alloc(40)), SrtpAuthenticationError);
  assert.throws(() => dtls.srtcp.decrypt(Buffer.alloc(40)), SrtpAuthenticationError);
});
