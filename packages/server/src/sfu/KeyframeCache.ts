import type { RtpPacket } from 'werift';

/**
 * The packets of a video stream since its last keyframe began (the keyframe and every frame after it, in
 * arrival order), so that a player who joins a running stream can start at once: the consumer sends these
 * first, rewritten onto its own numbering, and the live packets that follow continue the same numbering.
 * Without it a new player waits for a keyframe request to reach the publisher and for the publisher's encoder
 * to answer (about 50 ms for a browser publisher on loopback, a round trip more on a real network), and every
 * join costs the other players of the stream a keyframe they did not need.
 *
 * The whole group of pictures is kept, not the keyframe alone: the frames after a keyframe refer to it and to
 * each other, so a player given the keyframe and then the live stream would decode garbage (or stall) until the
 * next keyframe. The cache is bounded by packets, bytes and age; past any bound it empties and stays empty until
 * the next keyframe, and players then ask the publisher for one as before (see {@link KeyframeCache.fresh}).
 * The packets are the producer's own objects (also held by its retransmission buffer), not copies.
 */

/** Bounds of a {@link KeyframeCache}. */
export interface KeyframeCacheLimits {
  /** Most packets kept (a longer group of pictures is not cached). */
  maxPackets: number;
  /** Most payload bytes kept. */
  maxBytes: number;
  /**
   * Oldest keyframe served: a player given an older group of pictures would get a burst of that many seconds
   * of video at once, most of it too late to show, so past this age it asks the publisher instead.
   */
  maxAgeMs: number;
}

/**
 * 2 s of group of pictures, up to 1 MiB and 1024 packets: the synthetic publishers of the bench send a keyframe
 * every 2 s at ~1 Mbit/s (~180 packets); a browser sends one when asked, so while players join and leave its
 * groups of pictures stay short; a 2.5 Mbit/s camera fills 1 MiB in ~3.3 s.
 */
export const KEYFRAME_CACHE_DEFAULTS: KeyframeCacheLimits = {
  maxPackets: 1024,
  maxBytes: 1 << 20,
  maxAgeMs: 2000,
};

/**
 * The last group of pictures of one video producer.
 * @example
 * cache.add(packet, isKeyframeStart(mime, packet.payload), performance.now());
 * const packets = cache.fresh(performance.now()); // null: ask the publisher for a keyframe
 */
export class KeyframeCache {
  private readonly limits: KeyframeCacheLimits;
  private packets: RtpPacket[] = [];
  private bytes = 0;
  private ssrc = -1;
  private keyframeAt = 0;

  constructor(limits: Partial<KeyframeCacheLimits> = {}) {
    this.limits = { ...KEYFRAME_CACHE_DEFAULTS, ...limits };
    const { maxPackets, maxBytes, maxAgeMs } = this.limits;
    if (!(maxPackets >= 1 && maxBytes >= 1 && maxAgeMs >= 0)) {
      throw new TypeError('keyframe cache limits must be positive');
    }
  }

  /** The age bound, in milliseconds. */
  get maxAgeMs(): number {
    return this.limits.maxAgeMs;
  }

  /** Packets kept now. */
  get size(): number {
    return this.packets.length;
  }

  /** Payload bytes kept now. */
  get byteLength(): number {
    return this.bytes;
  }

  /**
   * Takes the producer's next packet (after duplicates are dropped): a keyframe start begins a new group;
   * other packets join the current one, if any. `now` is `performance.now()`.
   */
  add(packet: RtpPacket, keyframeStart: boolean, now: number): void {
    const ssrc = packet.header.ssrc;
    if (keyframeStart) {
      this.packets = [];
      this.bytes = 0;
      this.ssrc = ssrc;
      this.keyframeAt = now;
    } else if (this.packets.length === 0) {
      return; // no keyframe yet, or the group outgrew the bounds: wait for the next keyframe
    } else if (ssrc !== this.ssrc || now - this.keyframeAt > this.limits.maxAgeMs) {
      // Another stream (a publisher that changed SSRC), or a group no player would be given any more.
      this.clear();
      return;
    }
    const bytes = this.bytes + packet.payload.length;
    if (this.packets.length >= this.limits.maxPackets || bytes > this.limits.maxBytes) {
      this.clear();
      return;
    }
    this.packets.push(packet);
    this.bytes = bytes;
  }

  /**
   * The group to start a new player with, oldest first, or null when there is none within the bounds (no
   * keyframe yet, outgrown, or older than `maxAgeMs`). The array is the cache's own: read it, do not keep it.
   */
  fresh(now: number): readonly RtpPacket[] | null {
    if (this.packets.length === 0 || now - this.keyframeAt > this.limits.maxAgeMs) return null;
    return this.packets;
  }

  /** Milliseconds since the cached keyframe began, or null when nothing is cached. */
  age(now: number): number | null {
    return this.packets.length === 0 ? null : now - this.keyframeAt;
  }

  /** Forgets the group (bounds exceeded, another stream, or the producer closed). */
  clear(): void {
    this.packets = [];
    this.bytes = 0;
    this.ssrc = -1;
  }
}
