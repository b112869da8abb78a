/**
 * What the mux reads of a datagram from an address it does not know yet, without parsing it whole: whether
 * it is a STUN binding request (RFC 5389 §6) and the local ufrag in its USERNAME (RFC 8445 §7.2.2: the
 * USERNAME of a check is `<receiver's ufrag>:<sender's ufrag>`, so its first part is ours). Bounds are
 * checked at every step: any datagram, however malformed, gives an answer and never throws. The header check
 * and the ufrag rule are shared with bindingCheck.ts, which reads a connected peer's checks in full.
 */

/** STUN's fixed header: type, length, magic cookie, transaction ID (RFC 5389 §6). */
export const HEADER = 20;
export const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
export const ATTR_USERNAME = 0x0006;

/** A STUN binding request: its local ufrag (null when it has no USERNAME, a plain reflexive lookup). */
export interface BindingRequest {
  ufrag: string | null;
}

/** Whether the first byte puts the datagram in STUN's range (RFC 7983 §7: 0 to 3). */
export function looksLikeStun(data: Buffer): boolean {
  return data.length >= HEADER && data[0]! < 4;
}

/**
 * The binding request in `data`, or null when `data` is not a well-formed STUN binding request header
 * followed by attributes that fit in it.
 */
export function scanBindingRequest(data: Buffer): BindingRequest | null {
  const end = bindingRequestEnd(data);
  if (end < 0) return null;
  let pos = HEADER;
  while (pos + 4 <= end) {
    const type = data.readUInt16BE(pos);
    const attrLength = data.readUInt16BE(pos + 2);
    const valueStart = pos + 4;
    if (valueStart + attrLength > end) return null;
    if (type === ATTR_USERNAME) {
      const ufrag = localUfrag(data.toString('utf8', valueStart, valueStart + attrLength));
      return { ufrag: ufrag.length > 0 ? ufrag : null };
    }
    pos = valueStart + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  return { ufrag: null };
}

/**
 * Where the attributes of the binding request header in `data` end (the header's length counts the attributes
 * only, 32-bit aligned, within the datagram), or -1 when `data` does not start with one.
 */
export function bindingRequestEnd(data: Buffer): number {
  if (data.length < HEADER || data.readUInt16BE(0) !== BINDING_REQUEST) return -1;
  if (data.readUInt32BE(4) !== MAGIC_COOKIE) return -1;
  const length = data.readUInt16BE(2);
  return length % 4 === 0 && HEADER + length <= data.length ? HEADER + length : -1;
}

/** The local ufrag of a check's USERNAME: its part before the colon (the whole of a USERNAME without one). */
export function localUfrag(username: string): string {
  const colon = username.indexOf(':');
  return colon < 0 ? username : username.slice(0, colon);
}
