import { MediaFormatError } from './MediaFormatError.js';
import { type RtpPacketLike, SequenceTracker } from './RtpSequencer.js';

/** The VP8 payload descriptor at the front of every VP8 RTP payload (RFC 7741 §4.2). */
export interface Vp8PayloadDescriptor {
  nonReference: boolean;
  /** S: this packet starts a VP8 partition. */
  start: boolean;
  partitionId: number;
  pictureId?: number;
  tl0PicIdx?: number;
  temporalLayerId?: number;
  layerSync?: boolean;
  keyIdx?: number;
  /** Descriptor length in bytes; the VP8 data follows. */
  size: number;
}

/** Parses the payload descriptor; throws `MediaFormatError` if the payload is too short for it. */
export function parseVp8PayloadDescriptor(payload: Uint8Array): Vp8PayloadDescriptor {
  let offset = 0;
  const byte = (what: string): number => {
    if (offset >= payload.length) throw MediaFormatError.truncated(`VP8 descriptor ${what}`, offset, 1, 0);
    return payload[offset++] as number;
  };
  const b0 = byte('first byte');
  const d: Vp8PayloadDescriptor = {
    nonReference: (b0 & 0x20) !== 0,
    start: (b0 & 0x10) !== 0,
    partitionId: b0 & 0x0f,
    size: 0,
  };
  if (b0 & 0x80) {
    const x = byte('extension byte');
    if (x & 0x80) {
      const m = byte('PictureID');
      d.pictureId = m & 0x80 ? ((m & 0x7f) << 8) | byte('PictureID low byte') : m;
    }
    if (x & 0x40) d.tl0PicIdx = byte('TL0PICIDX');
    if (x & 0x30) {
      const tk = byte('TID/KEYIDX');
      if (x & 0x20) {
        d.temporalLayerId = tk >> 6;
        d.layerSync = (tk & 0x20) !== 0;
      }
      if (x & 0x10) d.keyIdx = tk & 0x1f;
    }
  }
  d.size = offset;
  return d;
}

/** True if `frame` (a complete VP8 frame) is a key frame: the P bit of the frame tag is 0 (RFC 6386 §9.1). */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  return frame.length > 0 && ((frame[0] as number) & 0x01) === 0;
}

/** Options of a {@link Vp8RtpPacketizer}. */
export interface Vp8PacketizerOptions {
  /** Largest RTP payload to produce, descriptor included; 1200 leaves room for headers under a 1500 MTU. */
  maxPayloadSize?: number;
  /** Send a 15-bit PictureID; a number sets the first one, `true` picks a random one. */
  pictureId?: boolean | number;
}

/**
 * Splits VP8 frames into RTP payloads (RFC 7741): each starts with a payload descriptor, the first of
 * a frame has S=1, PID is always 0, and payload sizes are balanced so none exceeds `maxPayloadSize`.
 *
 * @example
 * const vp8 = new Vp8RtpPacketizer({ maxPayloadSize: 1200, pictureId: true });
 * const packets = sequencer.frame(vp8.packetize(frame.data), mediaTime);
 */
export class Vp8RtpPacketizer {
  readonly maxPayloadSize: number;
  private pictureId: number | undefined;

  constructor(options: Vp8PacketizerOptions = {}) {
    this.maxPayloadSize = options.maxPayloadSize ?? 1200;
    const p = options.pictureId;
    this.pictureId = p === true ? Math.floor(Math.random() * 0x8000) : p === false ? undefined : p;
    if (
      this.pictureId !== undefined &&
      (!Number.isInteger(this.pictureId) || this.pictureId < 0 || this.pictureId > 0x7fff)
    ) {
      throw new TypeError(`VP8 PictureID must be 0..32767, got ${this.pictureId}`);
    }
    if (!Number.isInteger(this.maxPayloadSize) || this.maxPayloadSize <= this.descriptorSize()) {
      throw new TypeError(`maxPayloadSize ${this.maxPayloadSize} leaves no room for VP8 data`);
    }
  }

  /** The PictureID the next frame will carry, if PictureIDs are on. */
  get nextPictureId(): number | undefined {
    return this.pictureId;
  }

  /** Splits one frame into payloads, in send order. */
  packetize(frame: Uint8Array): Buffer[] {
    if (frame.length === 0) throw new TypeError('cannot packetize an empty VP8 frame');
    const headerSize = this.descriptorSize();
    const capacity = this.maxPayloadSize - headerSize;
    const count = Math.ceil(frame.length / capacity);
    const base = Math.floor(frame.length / count);
    const extra = frame.length % count;
    const payloads: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const size = base + (i < extra ? 1 : 0);
      const out = Buffer.alloc(headerSize + size);
      out[0] = (this.pictureId !== undefined ? 0x80 : 0) | (i === 0 ? 0x10 : 0);
      if (this.pictureId !== undefined) {
        out[1] = 0x80; // I: a PictureID follows.
        out[2] = 0x80 | (this.pictureId >> 8); // M: the 15-bit form.
        out[3] = this.pictureId & 0xff;
      }
      out.set(frame.subarray(offset, offset + size), headerSize);
      offset += size;
      payloads.push(out);
    }
    if (this.pictureId !== undefined) this.pictureId = (this.pictureId + 1) & 0x7fff;
    return payloads;
  }

  private descriptorSize(): number {
    return this.pictureId === undefined ? 1 : 4;
  }
}

/** A VP8 frame reassembled from RTP packets. */
export interface Vp8Frame {
  data: Buffer;
  timestamp: number;
  keyframe: boolean;
  pictureId?: number;
}

/** Why a frame could not be rebuilt. */
export type Vp8BrokenReason = 'missing-packets' | 'missing-start' | 'missing-end' | 'malformed';

/** What {@link Vp8RtpDepacketizer.push} reports, in order. */
export type Vp8DepacketizerEvent =
  | { type: 'frame'; frame: Vp8Frame }
  | { type: 'broken'; timestamp: number; reason: Vp8BrokenReason }
  | { type: 'gap'; lostPackets: number; beforeSequenceNumber: number };

interface PartialFrame {
  timestamp: number;
  chunks: Uint8Array[];
  pictureId?: number;
  broken?: Vp8BrokenReason;
}

/**
 * Rebuilds VP8 frames from RTP packets that arrive in order. A frame ends at the marker bit. A
 * sequence gap is reported as a `gap` event, and the frame it cut into as a `broken` one; after
 * either, `keyframeNeeded` stays true until a whole key frame comes through (time to send a PLI).
 *
 * @example
 * track.onReceiveRtp.subscribe((rtp) => {
 *   for (const e of depacketizer.push(rtp)) if (e.type === 'frame') writer.write(e.frame);
 * });
 */
export class Vp8RtpDepacketizer {
  private readonly sequence = new SequenceTracker();
  private current: PartialFrame | undefined;
  /** Packets known lost so far. */
  get lostPackets(): number {
    return this.sequence.lostPackets;
  }
  /** Duplicate or late packets dropped so far. */
  get discarded(): number {
    return this.sequence.discarded;
  }
  /** True from the start and after any loss, until a complete key frame is delivered. */
  keyframeNeeded = true;

  /** Feeds one packet; returns the events it caused. */
  push(rtp: RtpPacketLike): Vp8DepacketizerEvent[] {
    const { sequenceNumber: seq, timestamp, marker } = rtp.header;
    const events: Vp8DepacketizerEvent[] = [];
    const gap = this.sequence.next(seq);
    if (gap === null) return events;
    if (gap > 0) {
      this.keyframeNeeded = true;
      events.push({ type: 'gap', lostPackets: gap, beforeSequenceNumber: seq });
    }
    if (this.current && this.current.timestamp !== timestamp) {
      // The frame never saw its marker: its tail was lost (or the sender forgot the marker).
      this.current.broken ??= gap > 0 ? 'missing-packets' : 'missing-end';
      events.push(this.finish(this.current));
      this.current = undefined;
    } else if (this.current && gap > 0) {
      this.current.broken ??= 'missing-packets';
    }

    let descriptor: Vp8PayloadDescriptor | undefined;
    try {
      descriptor = parseVp8PayloadDescriptor(rtp.payload);
    } catch {
      descriptor = undefined;
    }
    if (!this.current) {
      this.current = { timestamp, chunks: [], pictureId: descriptor?.pictureId };
      if (descriptor && !(descriptor.start && descriptor.partitionId === 0)) {
        this.current.broken = gap > 0 ? 'missing-packets' : 'missing-start';
      }
    }
    if (descriptor) this.current.chunks.push(rtp.payload.subarray(descriptor.size));
    else this.current.broken ??= 'malformed';
    if (marker) {
      events.push(this.finish(this.current));
      this.current = undefined;
    }
    return events;
  }

  /** Reports a frame still waiting for its marker as broken, e.g. when the track ends. */
  flush(): Vp8DepacketizerEvent[] {
    if (!this.current) return [];
    const partial = this.current;
    this.current = undefined;
    partial.broken ??= 'missing-end';
    return [this.finish(partial)];
  }

  private finish(partial: PartialFrame): Vp8DepacketizerEvent {
    const data = Buffer.concat(partial.chunks);
    if (partial.broken || data.length === 0) {
      this.keyframeNeeded = true;
      return { type: 'broken', timestamp: partial.timestamp, reason: partial.broken ?? 'malformed' };
    }
    const keyframe = isVp8Keyframe(data);
    if (keyframe) this.keyframeNeeded = false;
    const frame: Vp8Frame = { data, timestamp: partial.timestamp, keyframe };
    if (partial.pictureId !== undefined) frame.pictureId = partial.pictureId;
    return { type: 'frame', frame };
  }
}
