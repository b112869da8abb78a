/**
 * The receive pipeline of one track of a play connection: RTP statistics → reorder buffer → depacketizer →
 * complete frames. Video after a loss is held back until the next key frame (asked for with a PLI), so what
 * comes out is always decodable.
 */
import type { RecvTrackStats } from '@parley/engine';
import { ReceiverStatistics } from '@parley/rtp';
import type { RtpPacket } from 'werift';
import { OpusRtpDepacketizer } from '../opusRtp.js';
import { Vp8RtpDepacketizer } from '../vp8Rtp.js';
import type { ReceivedFrame } from './FrameSink.js';
import { ReorderBuffer } from './ReorderBuffer.js';
import { vp8FrameSize } from './vp8FrameSize.js';

/** Where a {@link ReceivedTrack} sends what it produces. */
export interface ReceivedTrackOutput {
  frame(frame: ReceivedFrame): void;
  /** A video frame was lost: it missed packets (`incomplete`) or depended on a lost one (`dropped`). */
  loss(kind: 'incomplete' | 'dropped'): void;
  /** Send a PLI for this track now. */
  requestKeyframe(): void;
}

/** Options of a {@link ReceivedTrack}. */
export interface ReceivedTrackOptions {
  /** How long a packet waits behind a gap for a retransmission; default 150 ms video, 60 ms audio. */
  reorderDelayMs?: number;
  /** Minimum time between two PLIs; default 500 ms (the SFU coalesces faster ones anyway). */
  pliIntervalMs?: number;
}

/**
 * One received track.
 * @example
 * const video = new ReceivedTrack('video', { frame: (f) => sink.deliver(f, conn), loss, requestKeyframe });
 * track.onReceiveRtp.subscribe((p) => video.push(p, performance.now()));
 */
export class ReceivedTrack {
  readonly kind: 'audio' | 'video';
  /** RFC 3550 receiver statistics of the track's RTP (loss, repairs, jitter). */
  readonly counter: ReceiverStatistics;
  /** Payload bytes received, duplicates included. */
  private bytesReceived = 0;
  private readonly reorder: ReorderBuffer<RtpPacket>;
  private readonly vp8: Vp8RtpDepacketizer | null;
  private readonly opus: OpusRtpDepacketizer | null;
  private readonly output: ReceivedTrackOutput;
  private readonly pliIntervalMs: number;
  /** Video: true at the start and after a loss, until a key frame comes through. */
  private waitingForKeyframe = true;
  private lastPliAt = Number.NEGATIVE_INFINITY;
  private framesReceived = 0;
  private framesDecodable = 0;
  private framesDropped = 0;
  private pliCount = 0;
  /** NACKs werift's receiver sent for this track. */
  nackCount = 0;
  private width: number | undefined;
  private height: number | undefined;
  /** performance.now() of the last frame delivered, or null before the first. */
  lastFrameAt: number | null = null;

  constructor(kind: 'audio' | 'video', output: ReceivedTrackOutput, options: ReceivedTrackOptions = {}) {
    this.kind = kind;
    this.output = output;
    this.counter = new ReceiverStatistics(kind === 'video' ? 90_000 : 48_000);
    this.reorder = new ReorderBuffer({ maxDelayMs: options.reorderDelayMs ?? (kind === 'video' ? 150 : 60) });
    this.vp8 = kind === 'video' ? new Vp8RtpDepacketizer() : null;
    this.opus = kind === 'audio' ? new OpusRtpDepacketizer() : null;
    this.pliIntervalMs = options.pliIntervalMs ?? 500;
  }

  /** Takes one packet as werift delivered it. */
  push(packet: RtpPacket, now: number): void {
    const h = packet.header;
    this.bytesReceived += packet.payload.length;
    this.counter.receive(h.sequenceNumber, h.timestamp, now);
    for (const p of this.reorder.push(packet, now)) this.depacketize(p, now);
  }

  /** Called from the connection's timer: gives up gaps that waited too long, repeats PLIs. */
  tick(now: number): void {
    for (const p of this.reorder.expire(now)) this.depacketize(p, now);
    // Still no key frame a while after asking (the PLI or the key frame was lost): ask again.
    if (this.kind === 'video' && this.waitingForKeyframe && this.counter.received > 0) this.askKeyframe(now);
  }

  stats(totalBreakSeconds: number): RecvTrackStats {
    const s: RecvTrackStats = {
      packetsReceived: this.counter.received,
      bytesReceived: this.bytesReceived,
      packetsLost: this.counter.lost,
      packetsRepaired: this.counter.repaired,
      framesReceived: this.framesReceived,
      jitter: this.counter.jitter,
      totalBreakSeconds,
    };
    if (this.kind === 'video') {
      s.framesDecoded = this.framesDecodable;
      s.framesDropped = this.framesDropped;
      if (this.width !== undefined && this.height !== undefined) {
        s.frameWidth = this.width;
        s.frameHeight = this.height;
      }
      s.nackCount = this.nackCount;
      s.pliCount = this.pliCount;
    }
    return s;
  }

  private depacketize(packet: RtpPacket, now: number): void {
    if (this.opus) {
      const frame = this.opus.push(packet);
      if (!frame) return;
      this.framesReceived += 1;
      this.deliver({
        kind: 'audio',
        data: Buffer.from(frame.data),
        keyframe: true,
        rtpTimestamp: frame.timestamp,
        receivedAt: now,
      });
      return;
    }
    for (const event of this.vp8!.push(packet)) {
      if (event.type === 'gap') {
        this.lossSeen(now);
      } else if (event.type === 'broken') {
        this.framesDropped += 1;
        this.output.loss('incomplete');
        this.lossSeen(now);
      } else {
        const { frame } = event;
        this.framesReceived += 1;
        if (this.waitingForKeyframe && !frame.keyframe) {
          this.framesDropped += 1;
          this.output.loss('dropped');
          this.askKeyframe(now);
          continue;
        }
        if (frame.keyframe) {
          this.waitingForKeyframe = false;
          const size = vp8FrameSize(frame.data);
          if (size) ({ width: this.width, height: this.height } = size);
        }
        this.framesDecodable += 1;
        this.deliver({
          kind: 'video',
          data: frame.data,
          keyframe: frame.keyframe,
          rtpTimestamp: frame.timestamp,
          receivedAt: now,
        });
      }
    }
  }

  private deliver(frame: ReceivedFrame): void {
    this.lastFrameAt = frame.receivedAt;
    this.output.frame(frame);
  }

  private lossSeen(now: number): void {
    this.waitingForKeyframe = true;
    this.askKeyframe(now);
  }

  private askKeyframe(now: number): void {
    if (now - this.lastPliAt < this.pliIntervalMs) return;
    this.lastPliAt = now;
    this.pliCount += 1;
    this.output.requestKeyframe();
  }
}
