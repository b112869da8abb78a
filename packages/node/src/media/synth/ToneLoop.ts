/**
 * The encoded packets of a synthetic microphone's tone, made once per tone and shared by every microphone that
 * plays it.
 *
 * The tone is deterministic and a whole number of hertz, so one second of it (50 packets of 20 ms) holds a whole
 * number of periods and repeats seamlessly. Encoding that second once makes a microphone cost a copy and a tag
 * per packet instead of a libopus encoder per microphone: a process can hold thousands of them (load tests,
 * agents), where thousands of encoders would need a core each per 30 or so, and where opusscript breaks outright
 * after some dozens (see {@link encodeToneSecond}).
 */
import OpusScript from 'opusscript';
import { OPUS_CLOCK_RATE } from '../opusToc.js';
import { padOpusPacket } from './opusPadding.js';
import { SYNTHETIC_TAG_SIZE } from './syntheticTag.js';

/** What makes two tones the same. */
export interface ToneSpec {
  channels: 1 | 2;
  /** Whole hertz, 1..23999. */
  frequency: number;
  /** Peak as a fraction of full scale, 0..1. */
  amplitude: number;
  /** Opus target bitrate, bit/s. */
  bitrate: number;
}

/** Samples per channel in one 20 ms packet at 48 kHz. */
export const TONE_FRAME_SAMPLES = 960;
/** Packets in the loop: one second. */
export const TONE_LOOP_PACKETS = OPUS_CLOCK_RATE / TONE_FRAME_SAMPLES;
/**
 * The padding each packet carries: a 0x00 byte, then room for the synthetic tag. In the Opus extension format
 * (draft-ietf-mlcodec-opus-extension, which libopus 1.5 parses) extension ID 0 with L=0 means "the rest is
 * padding", so a decoder that reads extensions skips the tag after it, and older decoders ignore padding anyway.
 */
export const TONE_PADDING_MARKER = 0x00;
export const TONE_PADDING_SIZE = 1 + SYNTHETIC_TAG_SIZE;

/**
 * One second of the tone as Opus packets, each re-framed as code 3 with {@link TONE_PADDING_SIZE} bytes of
 * padding whose last {@link SYNTHETIC_TAG_SIZE} are zero: the microphone writes its tag there. Shared: treat
 * the buffers as read-only.
 */
export interface ToneLoop {
  readonly spec: Readonly<ToneSpec>;
  readonly packets: readonly Buffer[];
}

/**
 * The tones alive now. A microphone holds its loop strongly; the cache only weakly, so a tone nobody plays any
 * more is collected, and a program that runs thousands of distinct tones one after another keeps only the live ones.
 */
const loops = new Map<string, WeakRef<ToneLoop>>();
const forget = new FinalizationRegistry<string>((key) => {
  if (loops.get(key)?.deref() === undefined) loops.delete(key);
});

/** The shared loop of `spec`, encoded now if no live microphone plays that tone. */
export function toneLoop(spec: ToneSpec): ToneLoop {
  const key = `${spec.channels}/${spec.frequency}/${spec.amplitude}/${spec.bitrate}`;
  const live = loops.get(key)?.deref();
  if (live) return live;
  const loop: ToneLoop = { spec: { ...spec }, packets: encodeToneSecond(spec) };
  loops.set(key, new WeakRef(loop));
  forget.register(loop, key);
  return loop;
}

/**
 * Encodes one second of the tone after one second of warm-up, so that the loop is what the encoder makes in its
 * steady state: played again and again, its end joins its start as the encoder's own next second would (for
 * 440 Hz stereo the encoder's output becomes exactly periodic after the first second).
 *
 * One encoder, created and deleted within this synchronous call, and never more than one at a time: opusscript
 * 0.1.1's wrapper takes views of the WebAssembly heap once, at construction, which go stale when a later
 * allocation grows the heap (the RangeError or TypeError that took bot processes down after some dozens of
 * microphones), and it views its PCM buffer with `HEAPU16.subarray(pointer)`, a byte address used as an element
 * index, so it writes the samples at twice the address it allocated. With a single short-lived encoder that
 * place lies beyond every live allocation of the heap.
 */
function encodeToneSecond(spec: ToneSpec): Buffer[] {
  const { channels, frequency, amplitude, bitrate } = spec;
  const encoder = new OpusScript(OPUS_CLOCK_RATE, channels, OpusScript.Application.AUDIO);
  try {
    encoder.setBitrate(bitrate);
    const peak = amplitude * 32767;
    const pcm = Buffer.alloc(TONE_FRAME_SAMPLES * channels * 2);
    const packets: Buffer[] = [];
    for (let p = 0; p < 2 * TONE_LOOP_PACKETS; p++) {
      for (let i = 0; i < TONE_FRAME_SAMPLES; i++) {
        // Integer phase (frequency × sample mod 48000): every second is bit-identical, however far from zero.
        const n = (p % TONE_LOOP_PACKETS) * TONE_FRAME_SAMPLES + i;
        const phase = (frequency * n) % OPUS_CLOCK_RATE;
        const sample = Math.round(peak * Math.sin((2 * Math.PI * phase) / OPUS_CLOCK_RATE));
        for (let c = 0; c < channels; c++) pcm.writeInt16LE(sample, (i * channels + c) * 2);
      }
      const encoded = encoder.encode(pcm, TONE_FRAME_SAMPLES);
      if (p < TONE_LOOP_PACKETS) continue; // the warm-up second
      const padding = new Uint8Array(TONE_PADDING_SIZE).fill(TONE_PADDING_MARKER, 0, 1);
      packets.push(padOpusPacket(encoded, padding));
    }
    return packets;
  } finally {
    encoder.delete();
  }
}
