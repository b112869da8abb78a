/**
 * The RTCP a media pipe speaks, written and read here in a few lines rather than through werift (which has
 * no BYE and throws on some malformed input): receiver reports as keep-alives (RFC 3550 §6.4.2), BYE when
 * a side closes (§6.6), PLI and FIR keyframe requests (RFC 4585 §6.3.1, RFC 5104 §4.3.1) and generic NACKs
 * (RFC 4585 §6.2.1) from the remote node to the origin.
 */

const PT_SR = 200;
const PT_RR = 201;
const PT_BYE = 203;
const PT_RTPFB = 205;
const PT_PSFB = 206;
const FMT_NACK = 1;
const FMT_PLI = 1;
const FMT_FIR = 4;

/** What one RTCP packet of a compound datagram says, as far as a pipe cares. */
export type PipeRtcp =
  | { type: 'report' }
  | { type: 'bye' }
  | { type: 'keyframe'; mediaSsrc: number }
  | { type: 'nack'; mediaSsrc: number; lost: number[] };

/**
 * The packets of the compound RTCP datagram `data`, in order (kinds a pipe does not use are left out), or
 * null if any packet is malformed: then none of it is trusted.
 */
export function parseRtcp(data: Buffer): PipeRtcp[] | null {
  const out: PipeRtcp[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < 4) return null;
    const b0 = data[offset]!;
    if (b0 >> 6 !== 2) return null;
    const size = (data.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + size > data.length) return null;
    const packet = data.subarray(offset, offset + size);
    offset += size;
    const fmt = b0 & 0x1f;
    switch (packet[1]) {
      case PT_SR:
      case PT_RR:
        out.push({ type: 'report' });
        break;
      case PT_BYE:
        out.push({ type: 'bye' });
        break;
      case PT_RTPFB:
        if (fmt !== FMT_NACK) break;
        if (size < 16) return null;
        out.push({ type: 'nack', mediaSsrc: packet.readUInt32BE(8), lost: nackLost(packet) });
        break;
      case PT_PSFB:
        if (fmt === FMT_PLI) {
          if (size < 12) return null;
          out.push({ type: 'keyframe', mediaSsrc: packet.readUInt32BE(8) });
        } else if (fmt === FMT_FIR) {
          // FIR names its targets in 8-byte entries after the common header (the media SSRC field is 0).
          for (let i = 12; i + 8 <= size; i += 8)
            out.push({ type: 'keyframe', mediaSsrc: packet.readUInt32BE(i) });
        }
        break;
      default:
        break;
    }
  }
  return out;
}

/** The sequence numbers a NACK's FCI entries (PID and a bitmask of the 16 following) ask for. */
function nackLost(packet: Buffer): number[] {
  const lost: number[] = [];
  for (let i = 12; i + 4 <= packet.length; i += 4) {
    const pid = packet.readUInt16BE(i);
    const blp = packet.readUInt16BE(i + 2);
    lost.push(pid);
    for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) lost.push((pid + bit + 1) & 0xffff);
  }
  return lost;
}

/** An empty receiver report from `ssrc`: the pipe's keep-alive. */
export function receiverReport(ssrc: number): Buffer {
  const p = Buffer.alloc(8);
  p[0] = 0x80; // V=2, RC=0
  p[1] = PT_RR;
  p.writeUInt16BE(1, 2);
  p.writeUInt32BE(ssrc >>> 0, 4);
  return p;
}

/** A BYE for `ssrc`: the sender closes its end of the pipe. */
export function bye(ssrc: number): Buffer {
  const p = Buffer.alloc(8);
  p[0] = 0x81; // V=2, SC=1
  p[1] = PT_BYE;
  p.writeUInt16BE(1, 2);
  p.writeUInt32BE(ssrc >>> 0, 4);
  return p;
}

/** A PLI from `senderSsrc` asking for a keyframe of stream `mediaSsrc`. */
export function pli(senderSsrc: number, mediaSsrc: number): Buffer {
  const p = Buffer.alloc(12);
  p[0] = 0x80 | FMT_PLI;
  p[1] = PT_PSFB;
  p.writeUInt16BE(2, 2);
  p.writeUInt32BE(senderSsrc >>> 0, 4);
  p.writeUInt32BE(mediaSsrc >>> 0, 8);
  return p;
}

/** A generic NACK from `senderSsrc` for the packets `lost` (sequence numbers, in order) of `mediaSsrc`. */
export function nack(senderSsrc: number, mediaSsrc: number, lost: readonly number[]): Buffer {
  const entries: [number, number][] = [];
  for (const seq of lost) {
    const last = entries.at(-1);
    const d = last ? (seq - last[0]) & 0xffff : 0;
    if (last && d >= 1 && d <= 16) last[1] |= 1 << (d - 1);
    else entries.push([seq & 0xffff, 0]);
  }
  const p = Buffer.alloc(12 + entries.length * 4);
  p[0] = 0x80 | FMT_NACK;
  p[1] = PT_RTPFB;
  p.writeUInt16BE(p.length / 4 - 1, 2);
  p.writeUInt32BE(senderSsrc >>> 0, 4);
  p.writeUInt32BE(mediaSsrc >>> 0, 8);
  entries.forEach(([pid, blp], i) => {
    p.writeUInt16BE(pid, 12 + i * 4);
    p.writeUInt16BE(blp, 14 + i * 4);
  });
  return p;
}
