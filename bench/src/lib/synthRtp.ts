/**
 * Synthetic media for the fan-out benchmarks: RTP packets of the right payload type, size and rate, whose
 * payloads carry a numbered, timestamped tag instead of encoded media (no encoder runs). Every payload starts
 * like the real codec's (an Opus TOC byte; a VP8 payload descriptor and, at a frame start, the VP8 frame
 * header, so the SFU finds its keyframes) and has at byte TAG_OFFSET: the source id (u32), the packet number
 * (u32, from 1) and the time it was written (float64, performance.now() in ms). Sender and receivers live in
 * the bench process, so they share one monotonic clock. A sender that hands packets to the kernel at once can
 * also say when it did ({@link SyntheticTrack.sentAt}): building and protecting the packet in between is the
 * bench's time, not the forwarder's, and the latency is measured from there.
 */

/** Where the tag starts in every payload. */
export const TAG_OFFSET = 12;
const TAG_BYTES = 16;

/** Opus audio: one 20 ms packet (160 bytes of payload, as a ~64 kbit/s stream) 50 times a second. */
/** What a synthetic track sends. */
export interface TrackSpec {
  readonly kind: 'audio' | 'video';
  readonly mimeType: string;
  readonly payloadType: number;
  readonly clockRate: number;
  /** Units (audio packets, video frames) a second. */
  readonly unitsPerSecond: number;
  readonly packetsPerUnit: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly keyframeEverySeconds?: number;
  readonly pacingBitsPerSecond?: number;
}

/** The header fields a track gives its sender for one packet (the sender adds the SSRC). */
export interface PacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
}

/**
 * Sends one packet of a track; returns the performance.now() at which it handed the protected packet to the
 * socket when the send reaches the kernel before it returns (else nothing).
 */
export type SendPacket = (fields: PacketFields, payload: Buffer) => number | undefined;

/** A packet of a started unit, waiting for its time. */
interface QueuedPacket {
  dueAt: number;
  size: number;
  timestamp: number;
  first: boolean;
  last: boolean;
  keyframe: boolean;
}

export const AUDIO: TrackSpec = Object.freeze({
  kind: 'audio',
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  unitsPerSecond: 50,
  packetsPerUnit: 1,
  minBytes: 160,
  maxBytes: 160,
});

/**
 * VP8 video: 30 frames a second of 3 packets of 1000–1200 bytes of payload (~90 packets/s, ~0.9 Mbit/s of
 * payload, ~1 Mbit/s on the wire), a keyframe every 2 s and whenever the SFU asks for one (PLI). The packets
 * of a frame are paced as a WebRTC sender paces video: libwebrtc's pacer (modules/pacing, a leaky bucket)
 * sends the next media packet once the previous one's size has drained at 2.5 × the target bitrate
 * (`kDefaultPaceMultiplier`), so a 1 Mbit/s stream's packets of ~1100 bytes leave ~3.5 ms apart, not in
 * one burst (audio is not paced). The pacer here ticks every 5 ms, so they leave on successive ticks.
 */
export const VIDEO: TrackSpec = Object.freeze({
  kind: 'video',
  mimeType: 'video/VP8',
  payloadType: 96,
  clockRate: 90000,
  unitsPerSecond: 30,
  packetsPerUnit: 3,
  minBytes: 1000,
  maxBytes: 1200,
  keyframeEverySeconds: 2,
  pacingBitsPerSecond: 2.5 * 1_000_000,
});

let nextSourceId = 1;

/** Packets whose socket hand-off time a track remembers (a few seconds of video). */
const SENT_RING = 1024;

/**
 * One synthetic track. `send(fields, payload)` transmits one packet (`fields`: payloadType, sequenceNumber,
 * timestamp, marker, ssrc-free) and may return the performance.now() at which it handed the protected packet
 * to the socket, in a send that reaches the kernel before it returns; the pacer calls `pump(now)` and the
 * track sends every packet due since it started: each unit's (audio packet, video frame) at the unit's time,
 * or paced after it (`spec.pacingBitsPerSecond`).
 */
export class SyntheticTrack {
  readonly spec: TrackSpec;
  /** The track's sender; a topology sets it once the connection is up (the light sender). */
  send: SendPacket;
  readonly sourceId: number;
  /** The number of the last packet sent (0: none yet). */
  number = 0;
  private units = 0;
  private sequenceNumber: number;
  private startedAt: number | null = null;
  private keyframeWanted = true;
  private rand: number;
  /** Packets of started units not sent yet, in order. */
  private readonly queue: QueuedPacket[] = [];
  /** When the pacer's bucket has drained the packets queued so far (paced specs). */
  private bucketEmptyAt = Number.NEGATIVE_INFINITY;
  /** Per recent packet (by number): when its sender handed it to the socket, and how long after its tag. */
  private readonly sentNumbers = new Uint32Array(SENT_RING);
  private readonly sentTimes = new Float64Array(SENT_RING);
  private readonly preparedIn = new Float64Array(SENT_RING);

  constructor(spec: TrackSpec, send: SendPacket) {
    this.spec = spec;
    this.send = send;
    this.sourceId = nextSourceId++;
    this.sequenceNumber = (this.sourceId * 7919) & 0xffff;
    this.rand = this.sourceId * 2654435761;
  }

  /** When packet `number` was handed to the socket, if its sender said so and it is recent; else null. */
  sentAt(number: number): number | null {
    const slot = number % SENT_RING;
    return this.sentNumbers[slot] === number ? this.sentTimes[slot] : null;
  }

  /** Milliseconds from packet `number`'s tag to its hand-off to the socket (as `sentAt`), or null. */
  preparationMs(number: number): number | null {
    const slot = number % SENT_RING;
    return this.sentNumbers[slot] === number ? this.preparedIn[slot] : null;
  }

  /** Asks for a keyframe at the next video frame (the SFU's PLI). */
  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  /**
   * Drops the units due by `now` unsent: the track was paused (out of the pacer) and resumes at `now` as a
   * sender that stopped for a while does — its clock (the RTP timestamps) went on, its sequence numbers and
   * packet numbers continue without a gap, and video starts again with a keyframe. Without it the pacer's next
   * pump would send every unit of the pause at once.
   */
  skipTo(now: number): void {
    if (this.startedAt === null) return;
    const due = Math.floor(((now - this.startedAt) / 1000) * this.spec.unitsPerSecond);
    this.units = Math.max(this.units, due);
    this.queue.length = 0;
    this.bucketEmptyAt = Number.NEGATIVE_INFINITY;
    if (this.spec.kind === 'video') this.keyframeWanted = true;
  }

  /** Sends every packet due by `now` (ms, performance.now()): the units due, paced if the spec says so. */
  pump(now: number): void {
    this.startedAt ??= now;
    const spec = this.spec;
    const due = Math.floor(((now - this.startedAt) / 1000) * spec.unitsPerSecond) + 1;
    while (this.units < due) this.startUnit(this.startedAt);
    const queue = this.queue;
    let sent = 0;
    while (sent < queue.length && queue[sent].dueAt <= now) this.sendPacket(queue[sent++]);
    if (sent > 0) queue.splice(0, sent);
  }

  /**
   * Queues the packets of the next unit: the first at the unit's time, each next one when the previous has
   * drained at the spec's pacing rate (all at the unit's time without one), and never before the pacer's
   * bucket is empty.
   */
  private startUnit(startedAt: number): void {
    const spec = this.spec;
    const unit = this.units++;
    const timestamp = (unit * (spec.clockRate / spec.unitsPerSecond)) >>> 0;
    const video = spec.kind === 'video';
    const everyUnits = (spec.keyframeEverySeconds ?? 0) * spec.unitsPerSecond;
    const keyframe = video && (this.keyframeWanted || (everyUnits > 0 && unit % everyUnits === 0));
    if (keyframe) this.keyframeWanted = false;
    let dueAt = startedAt + (unit * 1000) / spec.unitsPerSecond;
    for (let i = 0; i < spec.packetsPerUnit; i++) {
      const size = this.size();
      if (spec.pacingBitsPerSecond) {
        dueAt = Math.max(dueAt, this.bucketEmptyAt);
        this.bucketEmptyAt = dueAt + (size * 8 * 1000) / spec.pacingBitsPerSecond;
      }
      this.queue.push({
        dueAt,
        size,
        timestamp,
        first: i === 0,
        last: i === spec.packetsPerUnit - 1,
        keyframe,
      });
    }
  }

  private sendPacket({ size, timestamp, first, last, keyframe }: QueuedPacket): void {
    const spec = this.spec;
    const video = spec.kind === 'video';
    const payload = Buffer.alloc(size);
    if (video) writeVp8Start(payload, first, keyframe);
    else payload[0] = 0xf8; // Opus TOC: config 31 (CELT fullband 20 ms), mono, one frame
    this.number += 1;
    payload.writeUInt32BE(this.sourceId, TAG_OFFSET);
    payload.writeUInt32BE(this.number, TAG_OFFSET + 4);
    const writtenAt = performance.now();
    payload.writeDoubleBE(writtenAt, TAG_OFFSET + 8);
    const fields = {
      payloadType: spec.payloadType,
      sequenceNumber: this.sequenceNumber,
      timestamp,
      marker: video && last,
    };
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    const handedOffAt = this.send(fields, payload);
    if (typeof handedOffAt === 'number') {
      const slot = this.number % SENT_RING;
      this.sentNumbers[slot] = this.number;
      this.sentTimes[slot] = handedOffAt;
      this.preparedIn[slot] = handedOffAt - writtenAt;
    }
  }

  /** A payload size in [minBytes, maxBytes], from a per-track pseudo-random sequence. */
  private size(): number {
    const { minBytes, maxBytes } = this.spec;
    if (minBytes === maxBytes) return minBytes;
    this.rand = (Math.imul(this.rand, 1103515245) + 12345) >>> 0;
    return minBytes + ((this.rand >>> 8) % (maxBytes - minBytes + 1));
  }
}

/**
 * The start of a VP8 RTP payload (RFC 7741): the payload descriptor (S=1 on a frame's first packet), and on
 * that packet the frame tag (P=0 on a keyframe) and, for a keyframe, the start code and a 640×360 size.
 */
function writeVp8Start(payload: Buffer, first: boolean, keyframe: boolean): void {
  payload[0] = first ? 0x10 : 0x00;
  if (!first) return;
  payload[1] = keyframe ? 0x10 : 0x11; // version 0, show_frame 1, P bit
  payload[2] = 0x40;
  payload[3] = 0x01;
  if (!keyframe) return;
  payload[4] = 0x9d;
  payload[5] = 0x01;
  payload[6] = 0x2a;
  payload.writeUInt16LE(640, 7);
  payload.writeUInt16LE(360, 9);
}

/** Reads the tag of a received payload: `{ sourceId, number, sentAt }`, or null if it carries none. */
export function readTag(payload: Buffer): { sourceId: number; number: number; sentAt: number } | null {
  if (payload.length < TAG_OFFSET + TAG_BYTES) return null;
  return {
    sourceId: payload.readUInt32BE(TAG_OFFSET),
    number: payload.readUInt32BE(TAG_OFFSET + 4),
    sentAt: payload.readDoubleBE(TAG_OFFSET + 8),
  };
}

/** Sends the tracks' due units every `tickMs` until stopped. Returns `{ add(track), stop() }`. */
/** The pacer of every synthetic track of a run. */
export interface Pacer {
  add(track: SyntheticTrack): void;
  delete(track: SyntheticTrack): void;
  /** Stops `tracks` sending (their connections stay up): a topology not measured at the moment. */
  pause(tracks: Iterable<SyntheticTrack>): void;
  /** Starts paused `tracks` again from now: they do not send what they would have meanwhile (skipTo). */
  resume(tracks: Iterable<SyntheticTrack>): void;
  stop(): void;
}

export function startPacer(tickMs = 5): Pacer {
  const tracks = new Set<SyntheticTrack>();
  const timer = setInterval(() => {
    const now = performance.now();
    for (const t of tracks) t.pump(now);
  }, tickMs);
  return {
    add(track) {
      tracks.add(track);
      track.pump(performance.now());
    },
    delete(track) {
      tracks.delete(track);
    },
    pause(paused) {
      for (const track of paused) tracks.delete(track);
    },
    resume(resumed) {
      const now = performance.now();
      for (const track of resumed) {
        track.skipTo(now);
        tracks.add(track);
        track.pump(now);
      }
    },
    stop() {
      clearInterval(timer);
      tracks.clear();
    },
  };
}
