/**
 * The default audio source of a Node app: the synthetic microphone (a sine tone encoded with libopus),
 * paced in real time.
 */
import { SyntheticMicrophone, type SyntheticMicrophoneOptions } from '../synth/SyntheticMicrophone.js';
import { PacedTrackSource, type ProducedFrame, type SourceOptions } from './TrackSource.js';

/**
 * A {@link SyntheticMicrophone} behind a 20 ms timer. Each packet carries its number (read it with
 * `readSyntheticPacketNumber`). Closing the source lets go of the shared tone.
 *
 * @example
 * const audio = new SyntheticMicrophoneSource({ frequency: 440 });
 */
export class SyntheticMicrophoneSource extends PacedTrackSource {
  readonly microphone: SyntheticMicrophone;

  constructor(options: SyntheticMicrophoneOptions & SourceOptions = {}) {
    super('audio', options);
    this.microphone = new SyntheticMicrophone(options);
  }

  requestKeyframe(): void {
    // Every Opus packet stands alone.
  }

  protected produce(): ProducedFrame | null {
    const packet = this.microphone.nextPacket();
    return { data: packet.data, durationMs: (packet.samples * 1000) / 48_000 };
  }

  protected override release(): void {
    this.microphone.close();
  }
}
