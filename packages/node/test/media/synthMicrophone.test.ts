import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import OpusScript from 'opusscript';
import { readOggOpus, writeOggOpus } from '../../src/media/oggOpus.js';
import { OpusRtpDepacketizer, OpusRtpPacketizer } from '../../src/media/opusRtp.js';
import { opusPacketSamples, parseOpusToc } from '../../src/media/opusToc.js';
import { RtpClockRate, RtpSequencer } from '../../src/media/RtpSequencer.js';
import { parseOpusPacket } from '../../src/media/synth/opusPadding.js';
import {
  type EncodedAudioPacket,
  readSyntheticPacketNumber,
  SyntheticMicrophone,
} from '../../src/media/synth/SyntheticMicrophone.js';
import { readSample } from './samples.js';
import { requireDecoders, runFfmpeg } from './synthFfmpeg.js';

function packets(mic: SyntheticMicrophone, count: number): EncodedAudioPacket[] {
  return Array.from({ length: count }, () => mic.nextPacket());
}

/** Power of `frequency` in `samples` at 48 kHz (the Goertzel filter), normalized by length. */
function goertzel(samples: Int16Array, frequency: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / 48_000);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / samples.length ** 2;
}

/** Distances between successive sign changes of `samples`. */
function zeroCrossingGaps(samples: Int16Array): number[] {
  const crossings: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i - 1] as number) < 0 !== (samples[i] as number) < 0) crossings.push(i);
  }
  return crossings.slice(1).map((at, i) => at - (crossings[i] as number));
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / samples.length);
}

/** The strongest frequency in `samples`, in 10 Hz steps from 50 to 4000 Hz. */
function dominant(samples: Int16Array): number {
  let best = 0;
  let bestPower = 0;
  for (let f = 50; f <= 4000; f += 10) {
    const power = goertzel(samples, f);
    if (power > bestPower) [best, bestPower] = [f, power];
  }
  return best;
}

/** Asserts `pcm` (mono, 48 kHz) is about two seconds of a clean 440 Hz tone at amplitude 0.25. */
function assertTone(pcm: Int16Array, decoder: string): void {
  assert.ok(Math.abs(pcm.length - 96_000) <= 960, `${decoder}: ${pcm.length} samples, want about 2 s`);
  // Skip the first 100 ms, where the encoder's start-up transient lives.
  const middle = pcm.subarray(4800, 4800 + 48_000);
  let crossings = 0;
  for (let i = 1; i < middle.length; i++) {
    if ((middle[i - 1] as number) < 0 !== (middle[i] as number) < 0) crossings++;
  }
  assert.ok(Math.abs(crossings - 880) <= 4, `${decoder}: ${crossings} zero crossings in 1 s, want 880`);
  assert.equal(dominant(middle), 440, `${decoder}: dominant frequency`);
  const level = rms(middle);
  const expected = (0.25 * 32767) / Math.SQRT2;
  assert.ok(Math.abs(level - expected) < expected * 0.1, `${decoder}: RMS ${level}, want about ${expected}`);
}

test('100 packets: 20 ms of 48 kHz stereo each, numbered 0..99 in valid code-3 padding', () => {
  const mic = new SyntheticMicrophone();
  try {
    const all = packets(mic, 100);
    assert.deepEqual(
      all.map((p) => readSyntheticPacketNumber(p.data)),
      [...Array(100).keys()],
    );
    for (const p of all) {
      const toc = parseOpusToc(p.data);
      assert.equal((p.data[0] as number) & 3, 3, 'code 3');
      assert.equal(toc.frameCount, 1);
      assert.equal(toc.stereo, true);
      assert.equal(opusPacketSamples(p.data), 960);
      assert.equal(p.samples, 960);
      const parts = parseOpusPacket(p.data);
      assert.equal(parts.frames.length, 1);
      assert.equal(parts.padding.length, 13);
      assert.equal(parts.padding[0], 0, 'extension ID 0, L=0: the rest is padding');
      assert.ok(p.data.length < 300, `${p.data.length} bytes at 64 kbit/s`);
    }
    assert.equal(mic.nextIndex, 100);
  } finally {
    mic.close();
  }
});

test('libopus itself decodes the padded packets to the tone', () => {
  const mic = new SyntheticMicrophone({ channels: 1 });
  const decoder = new OpusScript(48_000, 1, OpusScript.Application.AUDIO);
  try {
    const pcm = Buffer.concat(packets(mic, 100).map((p) => decoder.decode(p.data)));
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    // libopus outputs the encoder delay too: drop it, as an Ogg pre-skip would.
    assertTone(samples.subarray(mic.preSkip, 96_000), 'libopus (opusscript)');
  } finally {
    decoder.delete();
    mic.close();
  }
});

for (const decoder of ['opus', 'libopus']) {
  test(`ffmpeg's ${decoder} decoder plays the Ogg file as a 440 Hz tone without errors`, async (t: TestContext) => {
    if (!(await requireDecoders(t, [decoder]))) return;
    const mic = new SyntheticMicrophone();
    const all = packets(mic, 100).map((p) => p.data);
    mic.close();
    const ogg = writeOggOpus({
      head: { channels: 2, preSkip: mic.preSkip, inputSampleRate: 48_000, outputGain: 0, mappingFamily: 0 },
      tags: { vendor: 'parley-synthetic', comments: [] },
      packets: all,
    });
    assert.equal(readOggOpus(ogg).packets.length, 100);
    const dir = await mkdtemp(join(tmpdir(), 'parley-mic-'));
    try {
      const file = join(dir, 'tone.ogg');
      await writeFile(file, ogg);
      const { stdout, stderr, code } = await runFfmpeg([
        ...['-v', 'error', '-c:a', decoder, '-i', file],
        ...['-f', 's16le', '-ac', '1', '-ar', '48000', '-'],
      ]);
      assert.equal(stderr, '', decoder);
      assert.equal(code, 0);
      assertTone(new Int16Array(stdout.buffer, stdout.byteOffset, stdout.length / 2), decoder);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('readSyntheticPacketNumber rejects damaged, foreign and malformed packets', async () => {
  const mic = new SyntheticMicrophone({ channels: 1, frequency: 1000 });
  const packet = packets(mic, 8)[7]?.data as Buffer;
  mic.close();
  assert.equal(readSyntheticPacketNumber(packet), 7);
  assert.equal(parseOpusToc(packet).stereo, false);
  for (const at of [0, 1, 2, 3, Math.floor(packet.length / 2), packet.length - 13, packet.length - 5]) {
    const damaged = Buffer.from(packet);
    damaged[at] = (damaged[at] as number) ^ 0x10;
    assert.equal(readSyntheticPacketNumber(damaged), null, `byte ${at} flipped`);
  }
  assert.equal(readSyntheticPacketNumber(packet.subarray(0, packet.length - 1)), null, 'truncated');
  assert.equal(readSyntheticPacketNumber(new Uint8Array(0)), null, 'empty');
  assert.equal(readSyntheticPacketNumber(Uint8Array.of(0xfb, 0x00)), null, 'code 3 with zero frames');
  const { packets: foreign } = readOggOpus(await readSample('tone.ogg'));
  for (const p of foreign) assert.equal(readSyntheticPacketNumber(p), null);
});

test('packet numbers and 20 ms timestamps survive Opus RTP packetization', () => {
  const mic = new SyntheticMicrophone();
  const sequencer = new RtpSequencer({ payloadType: 111, clockRate: RtpClockRate.audio, ssrc: 9 });
  const packetizer = new OpusRtpPacketizer(sequencer);
  const depacketizer = new OpusRtpDepacketizer();
  try {
    const received = packets(mic, 50).map((p) => depacketizer.push(packetizer.packetize(p.data)));
    assert.deepEqual(
      received.map((r) => (r ? readSyntheticPacketNumber(r.data) : null)),
      [...Array(50).keys()],
    );
    const timestamps = received.map((r) => r?.timestamp ?? Number.NaN);
    assert.deepEqual(
      timestamps.slice(1).map((ts, i) => (ts - (timestamps[i] as number)) >>> 0),
      Array(49).fill(960),
    );
  } finally {
    mic.close();
  }
});

test('microphones of one tone share its packets, one second of them, each numbering its own', () => {
  const payload = (p: EncodedAudioPacket): Buffer => p.data.subarray(0, p.data.length - 12);
  const first = new SyntheticMicrophone({ channels: 1, frequency: 600 });
  const early = packets(first, 120);
  const second = new SyntheticMicrophone({ channels: 1, frequency: 600 });
  const late = packets(second, 70);
  const other = new SyntheticMicrophone({ channels: 1, frequency: 601 });
  const foreign = packets(other, 50);
  for (const mic of [first, second, other]) mic.close();
  for (let i = 0; i < 70; i++) {
    assert.deepEqual(payload(late[i]!), payload(early[i]!), `packet ${i} of the second microphone`);
    assert.equal(readSyntheticPacketNumber(late[i]!.data), i);
  }
  for (let i = 0; i < 70; i++)
    assert.deepEqual(payload(early[i + 50]!), payload(early[i]!), `packet ${i + 50}`);
  assert.ok(
    foreign.some((p, i) => !payload(p).equals(payload(early[i]!))),
    'another tone has packets of its own',
  );
});

test('libopus decodes three seconds, two loop joins, as one unbroken tone', () => {
  const mic = new SyntheticMicrophone({ channels: 1 });
  const decoder = new OpusScript(48_000, 1, OpusScript.Application.AUDIO);
  try {
    const pcm = Buffer.concat(packets(mic, 150).map((p) => decoder.decode(p.data)));
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2).subarray(mic.preSkip);
    // A 440 Hz tone crosses zero every 54.5 samples. Around each join (48,000 and 96,000 samples in, the
    // encoder's delay skipped) the crossings keep that pace and the level holds: the loop starts over without a
    // phase jump, gap or fade. (Three packets skipped at a join make one gap of 44.)
    const expected = (0.25 * 32767) / Math.SQRT2;
    for (const join of [48_000, 96_000]) {
      const around = samples.subarray(join - 600, join + 600);
      const gaps = zeroCrossingGaps(around);
      assert.ok(
        gaps.every((g) => g >= 53 && g <= 56),
        `zero-crossing gaps around ${join}: ${gaps.join(' ')}`,
      );
      const level = rms(around);
      assert.ok(Math.abs(level - expected) < expected * 0.1, `RMS ${level} around the join at ${join}`);
    }
  } finally {
    decoder.delete();
    mic.close();
  }
});

test('close() lets go of the tone once; the microphone is unusable afterwards', () => {
  const mic = new SyntheticMicrophone();
  assert.equal(mic.closed, false);
  mic.nextPacket();
  mic.close();
  mic.close();
  assert.equal(mic.closed, true);
  assert.throws(() => mic.nextPacket(), /after close/);
});

test('bad microphone options are TypeErrors', () => {
  assert.throws(() => new SyntheticMicrophone({ channels: 3 as 1 }), TypeError);
  assert.throws(() => new SyntheticMicrophone({ frequency: 0 }), TypeError);
  assert.throws(() => new SyntheticMicrophone({ frequency: 30_000 }), TypeError);
  assert.throws(() => new SyntheticMicrophone({ frequency: 440.5 }), /whole number of Hz/);
  assert.throws(() => new SyntheticMicrophone({ amplitude: 2 }), TypeError);
  assert.throws(() => new SyntheticMicrophone({ bitrate: 10 }), TypeError);
});
