/**
 * The wire side of answering an ICE check without werift's STUN objects (see answerChecks.ts for when the
 * SFU may): read a Binding request's attributes in place, verify its MESSAGE-INTEGRITY, and write the success
 * response werift's ICE would send (`Connection.ensureProtocol`: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
 * FINGERPRINT, in that order; bindingCheck.test.ts compares the bytes with werift's).
 *
 * Written by hand because this runs for every consent check of every player (RFC 7675: every 4–6 s each):
 * werift parses a request into a `Message` of attribute objects, serializes the response about five times
 * (once per HMAC, CRC and send) and logs `message.toJSON()` and `pair.toJSON()` whether debugging is on or
 * not. A node at rest with 200 video players spent 200–250 µs per check there (bench, 2026-12-06), the most
 * of any event a connected player causes.
 *
 * Every read is bounds-checked: any datagram gives an answer (null: not a check this reads) and none throws.
 */
import { timingSafeEqual } from 'node:crypto';
import { HmacSha1 } from '@parley/rtp';
import { crc32 } from 'werift';
import { ATTR_USERNAME, bindingRequestEnd, HEADER, localUfrag, MAGIC_COOKIE } from './stunScan.js';

const BINDING_SUCCESS = 0x0101;
const FINGERPRINT_XOR = 0x5354554e;

const ATTR_MESSAGE_INTEGRITY = 0x0008;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const ATTR_PRIORITY = 0x0024;
const ATTR_USE_CANDIDATE = 0x0025;
const ATTR_FINGERPRINT = 0x8028;
const ATTR_ICE_CONTROLLED = 0x8029;
/** Types from here up are comprehension-optional (RFC 5389 §15): a receiver that does not know one ignores it. */
const FIRST_OPTIONAL = 0x8000;

const HMAC_LENGTH = 20;

/** The MESSAGE-INTEGRITY a request should carry (one event loop: one scratch buffer). */
const expected = Buffer.alloc(HMAC_LENGTH);

/**
 * An ICE password as the mux keeps it: its bytes (werift's `parseMessage` takes them) and the HMAC-SHA1 keyed
 * with them. Node's `createHmac` sets the key up again and builds a new object for every MAC: two per answered
 * consent check, a quarter of the mux's answer at rest (perf, 400 audio players, 2026-12-06); the pads'
 * SHA-1 states are computed once here instead (@parley/rtp's HmacSha1, the SRTP tags' MAC). Verifying and
 * answering one check took 5.7–10.6 µs with `createHmac` and 1.9–3.5 µs this way (a loop on this machine).
 */
export class IcePassword {
  readonly mac: HmacSha1;

  constructor(readonly bytes: Buffer) {
    this.mac = new HmacSha1(bytes);
  }

  /**
   * `password` in a buffer of its own: a small `Buffer.from` is a slice of Node's 8 KiB pool, and one kept for a
   * transport's life would keep a whole slab alive (~5 KiB per transport in a heap snapshot).
   */
  static of(password: string): IcePassword {
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(password, 'utf8'));
    bytes.write(password, 'utf8');
    return new IcePassword(bytes);
  }
}

/** A Binding request as read in place: offsets into the datagram, nothing copied but the ufrag. */
export interface BindingCheck {
  /** The USERNAME's first part: the receiver's (our) ufrag (RFC 8445 §7.2.2). */
  ufrag: string;
  /** Where the MESSAGE-INTEGRITY attribute starts (its header). */
  integrityAt: number;
  useCandidate: boolean;
  /** ICE-CONTROLLED: the peer claims the controlled role too (a role conflict werift answers with 487). */
  iceControlled: boolean;
}

/**
 * The check in `data`: a Binding request with a USERNAME and a MESSAGE-INTEGRITY, every attribute before the
 * integrity one known to ICE, and nothing after it but a FINGERPRINT. Anything else gives null (werift then
 * handles the datagram as before, errors included).
 */
export function readBindingCheck(data: Buffer): BindingCheck | null {
  if (bindingRequestEnd(data) !== data.length) return null;
  let ufrag: string | null = null;
  let useCandidate = false;
  let iceControlled = false;
  let pos = HEADER;
  while (pos + 4 <= data.length) {
    const type = data.readUInt16BE(pos);
    const attrLength = data.readUInt16BE(pos + 2);
    const value = pos + 4;
    if (value + attrLength > data.length) return null;
    switch (type) {
      case ATTR_USERNAME: {
        const username = data.toString('utf8', value, value + attrLength);
        ufrag = localUfrag(username);
        // A check's USERNAME is `ours:theirs` (RFC 8445 §7.2.2).
        if (ufrag.length === 0 || ufrag.length === username.length) return null;
        break;
      }
      case ATTR_MESSAGE_INTEGRITY: {
        if (attrLength !== HMAC_LENGTH || ufrag === null) return null;
        const rest = value + HMAC_LENGTH;
        // After MESSAGE-INTEGRITY only a FINGERPRINT may follow (RFC 5389 §15.4, §15.5).
        if (rest !== data.length && !isFingerprintAt(data, rest)) return null;
        return { ufrag, integrityAt: pos, useCandidate, iceControlled };
      }
      case ATTR_USE_CANDIDATE:
        useCandidate = true;
        break;
      case ATTR_ICE_CONTROLLED:
        iceControlled = true;
        break;
      case ATTR_PRIORITY:
        break;
      case ATTR_FINGERPRINT:
        return null; // FINGERPRINT is the last attribute, never before MESSAGE-INTEGRITY
      default:
        // ICE-CONTROLLING and the optional extensions (libwebrtc's GOOG-NETWORK-INFO and the like) ask
        // nothing of the answer. An unknown comprehension-required attribute needs a 420 error: werift's.
        if (type < FIRST_OPTIONAL) return null;
    }
    pos = value + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  return null;
}

function isFingerprintAt(data: Buffer, at: number): boolean {
  return (
    at + 8 === data.length && data.readUInt16BE(at) === ATTR_FINGERPRINT && data.readUInt16BE(at + 2) === 4
  );
}

/**
 * Whether the request's MESSAGE-INTEGRITY is the HMAC-SHA1 under `password` (the short-term credential of
 * RFC 5389 §15.4: computed over the message up to the attribute, with the header's length counting the
 * attribute as the message's last).
 */
export function verifyIntegrity(data: Buffer, check: BindingCheck, password: IcePassword): boolean {
  const at = check.integrityAt;
  // The length as the MAC counts it, written into the datagram for the MAC and put back at once (all of it
  // synchronous: nothing else reads the datagram meanwhile).
  const length = data.readUInt16BE(2);
  data.writeUInt16BE(at + 4 + HMAC_LENGTH - HEADER, 2);
  password.mac.tag(data, 0, at, null, expected, 0, HMAC_LENGTH);
  data.writeUInt16BE(length, 2);
  return timingSafeEqual(expected, data.subarray(at + 4, at + 4 + HMAC_LENGTH));
}

/**
 * The Binding success response to the request in `data` (its transaction ID), from the IPv4 `address`:`port`,
 * signed with `password`: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT, as werift writes it. (Checks
 * from IPv6 peers stay with werift: answerChecks.ts asks for IPv4.)
 */
export function bindingSuccess(data: Buffer, address: string, port: number, password: IcePassword): Buffer {
  const addressLength = 4;
  const mappedAt = HEADER;
  const integrityAt = mappedAt + 4 + 4 + addressLength;
  const fingerprintAt = integrityAt + 4 + HMAC_LENGTH;
  const out = Buffer.alloc(fingerprintAt + 8);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  data.copy(out, 4, 4, HEADER); // magic cookie and transaction ID
  // XOR-MAPPED-ADDRESS (RFC 5389 §15.2): the port XOR the cookie's top half, the address XOR cookie + ID.
  out.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, mappedAt);
  out.writeUInt16BE(4 + addressLength, mappedAt + 2);
  out.writeUInt8(1, mappedAt + 5); // IPv4
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), mappedAt + 6);
  const raw = address.split('.');
  for (let i = 0; i < addressLength; i++) out[mappedAt + 8 + i] = Number(raw[i]) ^ out[4 + i]!;
  // MESSAGE-INTEGRITY over everything before it, the length counting it as the last attribute.
  out.writeUInt16BE(integrityAt + 4 + HMAC_LENGTH - HEADER, 2);
  out.writeUInt16BE(ATTR_MESSAGE_INTEGRITY, integrityAt);
  out.writeUInt16BE(HMAC_LENGTH, integrityAt + 2);
  password.mac.tag(out, 0, integrityAt, null, out, integrityAt + 4, HMAC_LENGTH);
  // FINGERPRINT over everything before it, the length now counting it too.
  out.writeUInt16BE(fingerprintAt + 8 - HEADER, 2);
  out.writeUInt16BE(ATTR_FINGERPRINT, fingerprintAt);
  out.writeUInt16BE(4, fingerprintAt + 2);
  out.writeUInt32BE((crc32(out.subarray(0, fingerprintAt)) ^ FINGERPRINT_XOR) >>> 0, fingerprintAt + 4);
  return out;
}
