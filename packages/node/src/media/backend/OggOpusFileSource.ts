/**
 * An Opus audio source that plays an Ogg Opus file in a loop.
 */
import { readFileSync } from 'node:fs';
import { MediaFormatError } from '../MediaFormatError.js';
import { readOggOpus } from '../oggOpus.js';
import { opusPacketSamples } from '../opusToc.js';
import { PacedTrackSource, type ProducedFrame, type SourceOptions } from './TrackSource.js';

/**
 * Plays the Opus packets of an Ogg Opus file in a loop, each lasting what its TOC byte says (usually 20 ms).
 * The packets are sent as they are in the file; the pre-skip and end trimming of the container do not apply to
 * RTP.
 *
 * @example
 * const audio = OggOpusFileSource.fromFile('packages/node/samples/tone.ogg');
 */
export class OggOpusFileSource extends PacedTrackSource {
  private readonly packets: Buffer[];
  private readonly durationsMs: number[];
  private next = 0;

  /** `bytes`: a whole Ogg Opus file. Throws MediaFormatError if it is not one or holds no audio. */
  constructor(bytes: Uint8Array, options: SourceOptions = {}) {
    super('audio', options);
    const { packets } = readOggOpus(bytes);
    if (packets.length === 0) throw new MediaFormatError('bad-structure', 'the Ogg Opus file holds no audio');
    this.packets = packets.map((p) => Buffer.from(p));
    this.durationsMs = this.packets.map((p) => opusPacketSamples(p) / 48);
  }

  /** Reads the file at `path` (synchronously: sample files are small). */
  static fromFile(path: string, options: SourceOptions = {}): OggOpusFileSource {
    return new OggOpusFileSource(readFileSync(path), options);
  }

  /** Packets in the file. */
  get packetCount(): number {
    return this.packets.length;
  }

  requestKeyframe(): void {
    // Every Opus packet stands alone.
  }

  protected produce(): ProducedFrame {
    const i = this.next;
    this.next = (i + 1) % this.packets.length;
    return { data: this.packets[i]!, durationMs: this.durationsMs[i]! };
  }
}
