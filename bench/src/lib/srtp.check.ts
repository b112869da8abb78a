/**
 * Checks bench/src/lib/srtp.ts (the SRTP of the baseline's endpoints and of the light publishers): the key
 * derivation against RFC 3711 Appendix B.3, and protect/unprotect byte for byte against werift's SrtpSession
 * in both profiles (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM) over several SSRCs, marker bits, CSRCs and
 * header extensions, and a sequence-number wrap (ROC 0 → 1), in both directions.
 * Exits 1 on the first mismatch. Usage: node bench/dist/src/lib/srtp.check.js (after npx tsc -b)
 */
import { randomBytes } from 'node:crypto';
import { RtpHeader, SrtpSession } from 'werift';
import { deriveSessionKeys, PROFILE_AES_CM, PROFILE_AES_GCM, SrtpContext } from './srtp.js';

let checks = 0;
function expectEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  checks += 1;
  if (!Buffer.from(actual).equals(Buffer.from(expected))) {
    console.error(
      `MISMATCH ${what}\n  got      ${Buffer.from(actual).toString('hex')}\n  expected ${Buffer.from(expected).toString('hex')}`,
    );
    process.exit(1);
  }
}
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 3711 Appendix B.3: key derivation test vectors.
const rfc = deriveSessionKeys(hex('E1F97A0D3E018BE0D64FA32C06DE4139'), hex('0EC675AD498AFEEBB6960B3AABE6'));
expectEqual(rfc.encryptionKey, hex('C61E7A93744F39EE10734AFE3FF7A087'), 'RFC 3711 B.3 cipher key');
expectEqual(rfc.salt, hex('30CBBC08863D8C85D49DB34A9AE1'), 'RFC 3711 B.3 cipher salt');
expectEqual(rfc.authKey.subarray(0, 16), hex('CEBE321F6FF7716B6FD4AB49AF256A15'), 'RFC 3711 B.3 auth key');

// Against werift, in each profile: the same master keys on both sides, in both directions.
function weriftSession(profile: number, masterKey: Buffer, masterSalt: Buffer): SrtpSession {
  return new SrtpSession({
    keys: {
      localMasterKey: masterKey,
      localMasterSalt: masterSalt,
      remoteMasterKey: masterKey,
      remoteMasterSalt: masterSalt,
    },
    profile,
  });
}

const streams = [
  { ssrc: 0x11223344, firstSeq: 65520, count: 40, csrc: [], extensions: [] }, // wraps: ROC 0 → 1
  { ssrc: 0xdeadbeef, firstSeq: 1000, count: 10, csrc: [0x01020304, 0xa0b0c0d0], extensions: [] },
  {
    ssrc: 7,
    firstSeq: 65534,
    count: 6,
    csrc: [],
    extensions: [{ id: 1, payload: Buffer.from([0xaa, 0xbb]) }],
  },
];

for (const { name, profile, saltBytes } of [
  { name: 'AES_CM_128_HMAC_SHA1_80', profile: PROFILE_AES_CM, saltBytes: 14 },
  { name: 'AEAD_AES_128_GCM', profile: PROFILE_AES_GCM, saltBytes: 12 },
]) {
  const masterKey = randomBytes(16);
  const masterSalt = randomBytes(saltBytes);
  const werift = weriftSession(profile, masterKey, masterSalt);
  const weriftReceiver = weriftSession(profile, masterKey, masterSalt);
  const ours = new SrtpContext(masterKey, masterSalt, profile);
  const oursReceiver = new SrtpContext(masterKey, masterSalt, profile);
  let rolled = false;
  for (const s of streams) {
    for (let i = 0; i < s.count; i++) {
      const header = new RtpHeader({
        payloadType: 96 + (i % 3),
        sequenceNumber: (s.firstSeq + i) & 0xffff,
        timestamp: (123456 + i * 3000) >>> 0,
        ssrc: s.ssrc,
        marker: i % 4 === 3,
        csrc: s.csrc,
        csrcLength: s.csrc.length,
        extension: s.extensions.length > 0,
        extensions: s.extensions,
      });
      const payload = randomBytes(20 + ((i * 97) % 1180));
      const plain = Buffer.concat([header.serialize(header.serializeSize), payload]);
      const what = `${name} ssrc ${s.ssrc} seq ${header.sequenceNumber}`;
      const fromWerift = werift.encrypt(payload, header);
      const fromOurs = ours.protect(plain);
      expectEqual(fromOurs, fromWerift, `protect ${what}`);
      const unprotected = oursReceiver.unprotect(fromWerift);
      if (unprotected === null) {
        console.error(`MISMATCH unprotect ${what}: authentication failed`);
        process.exit(1);
      }
      expectEqual(unprotected.rtp, plain, `unprotect ${what}`);
      expectEqual(weriftReceiver.decrypt(fromOurs), plain, `werift decrypts ours ${what}`);
      if (unprotected.roc > 0) rolled = true;
    }
  }
  if (!rolled) {
    console.error(`${name}: the check never reached ROC 1`);
    process.exit(1);
  }

  // A forged tag, and a packet too short to hold a header and a tag, are refused.
  const forged = ours.protect(
    Buffer.concat([new RtpHeader({ ssrc: 9, sequenceNumber: 5 }).serialize(12), randomBytes(50)]),
  );
  forged[forged.length - 1] ^= 1;
  checks += 2;
  if (new SrtpContext(masterKey, masterSalt, profile).unprotect(forged) !== null) {
    console.error(`MISMATCH ${name}: a packet with a wrong tag was accepted`);
    process.exit(1);
  }
  if (
    new SrtpContext(masterKey, masterSalt, profile).unprotect(forged.subarray(0, 12 + ours.tagBytes - 1)) !==
    null
  ) {
    console.error(`MISMATCH ${name}: a truncated packet was accepted`);
    process.exit(1);
  }
}
console.log(
  `srtp: ${checks} checks passed (RFC 3711 B.3 key derivation; byte-identical to werift in AES-CM and AES-GCM, incl. ROC rollover)`,
);
