/**
 * SRTP session keys from the DTLS-exported master key and salt (RFC 3711 §4.3.1, AES-CM PRF, key derivation
 * rate 0), derived exactly as werift does, so a transport can switch to the fast context mid-session: the
 * master salt is zero-padded to 14 bytes (the 12-byte salt of AEAD_AES_128_GCM, RFC 7714 §12), the label
 * goes to byte 7, and the PRF output is the AES-ECB encryption of (salt XOR label) || counter.
 */
import { AesCounterMode } from './aesCounterMode.js';

/** The keys of one direction (local or remote) of an SRTP session. */
export interface SrtpSessionKeys {
  rtpKey: Buffer;
  /** 14 bytes; AES-GCM uses the first 12. */
  rtpSalt: Buffer;
  /** 20 bytes (HMAC-SHA1 key; unused by AES-GCM). */
  rtpAuthKey: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuthKey: Buffer;
}

const LABEL = {
  rtpKey: 0,
  rtpAuth: 1,
  rtpSalt: 2,
  rtcpKey: 3,
  rtcpAuth: 4,
  rtcpSalt: 5,
} as const;

/** Derives the six session keys of one direction. */
export function deriveSessionKeys(masterKey: Uint8Array, masterSalt: Uint8Array): SrtpSessionKeys {
  if (masterKey.length !== 16) throw new RangeError('only 128-bit SRTP master keys are supported');
  const salt = new Uint8Array(14);
  salt.set(masterSalt.subarray(0, 14));
  const aes = new AesCounterMode(masterKey);
  /** `blocks` PRF blocks for `label`: AES(x || 00 00), AES(x || 00 01), ... */
  const prf = (label: number, blocks: number): Buffer => {
    const input = new Uint8Array(16 * blocks);
    for (let b = 0; b < blocks; b++) {
      input.set(salt, b * 16);
      input[b * 16 + 7] = input[b * 16 + 7]! ^ label;
      input[b * 16 + 15] = b;
    }
    return aes.encryptBlocks(input);
  };
  return {
    rtpKey: prf(LABEL.rtpKey, 1),
    rtpSalt: prf(LABEL.rtpSalt, 1).subarray(0, 14),
    rtpAuthKey: prf(LABEL.rtpAuth, 2).subarray(0, 20),
    rtcpKey: prf(LABEL.rtcpKey, 1),
    rtcpSalt: prf(LABEL.rtcpSalt, 1).subarray(0, 14),
    rtcpAuthKey: prf(LABEL.rtcpAuth, 2).subarray(0, 20),
  };
}
