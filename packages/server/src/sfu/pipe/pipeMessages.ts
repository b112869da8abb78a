/**
 * The two messages that set up a media pipe, carried between nodes by the rooms layer over the cluster bus:
 * the remote node's {@link PipeRequest} (where to send the stream) and the origin's {@link PipeAnswer} (where
 * it comes from and what its tracks are). Both are plain JSON. They come from another process, so each side
 * validates what it receives with the schemas below, from which the types are derived.
 */
import { isIPv4 } from 'node:net';
import { RTCRtpCodecParameters } from 'werift';
import { z } from 'zod';
import type { Producer } from '../Producer.js';

const pipeID = z.string().min(1).max(256);
/** Pipe sockets are IPv4, like the SFU's ICE sockets (`ice.bindAddress`). */
const address = z.string().refine((a) => isIPv4(a), 'must be an IPv4 address');
const port = z.int().min(1).max(65535);

/**
 * RTP payload types the pipe may carry. 64–95 are left out: with the marker bit set their second byte falls in
 * 192–223, which RTP and RTCP multiplexed on one socket reserve for RTCP (RFC 5761 §4).
 */
export function isPipePayloadType(pt: number): boolean {
  return Number.isInteger(pt) && ((pt >= 0 && pt <= 63) || (pt >= 96 && pt <= 127));
}

const codecSchema = z.object({
  mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9._+-]+$/, 'must be a MIME type like video/VP8'),
  clockRate: z.int().min(1).max(10_000_000),
  channels: z.int().min(1).max(255).nullable(),
  payloadType: z.int().refine(isPipePayloadType, 'must be a payload type in 0..63 or 96..127'),
  /** The SDP fmtp parameters, e.g. H264's profile. */
  sdpFmtpLine: z.string().max(1024).nullable(),
  rtcpFeedback: z
    .array(z.object({ type: z.string().min(1).max(64), parameter: z.string().max(64).optional() }))
    .max(16),
});

const trackSchema = z
  .object({
    kind: z.enum(['audio', 'video']),
    /** The publisher's SSRC when the answer was made, null before its first packet; informative only. */
    ssrc: z.int().min(0).max(0xffffffff).nullable(),
    codec: codecSchema,
  })
  .refine((t) => t.codec.mimeType.toLowerCase().startsWith(`${t.kind}/`), 'codec must match the kind');

/** The remote node's request: send the stream to `address:port` (UDP), for pipe `pipeID`. */
export const pipeRequestSchema = z.object({ pipeID, address, port });
export type PipeRequest = z.infer<typeof pipeRequestSchema>;

/**
 * The origin's answer: the stream comes from `address:port`, one RTP stream per track, told apart by payload
 * type. Packets carry no header extensions (the SFU negotiates none, and consumers would strip them).
 */
export const pipeAnswerSchema = z.object({
  pipeID,
  address,
  port,
  tracks: z
    .array(trackSchema)
    .min(1)
    .max(2)
    .refine((tracks) => new Set(tracks.map((t) => t.kind)).size === tracks.length, 'one track per kind')
    .refine(
      (tracks) => new Set(tracks.map((t) => t.codec.payloadType)).size === tracks.length,
      'one payload type per track',
    ),
});
export type PipeAnswer = z.infer<typeof pipeAnswerSchema>;
export type PipeTrack = PipeAnswer['tracks'][number];
export type PipeCodec = PipeTrack['codec'];

/** `value` as a {@link PipeRequest}, or a TypeError saying what is wrong. */
export function parsePipeRequest(value: unknown): PipeRequest {
  return parsed(pipeRequestSchema, value, 'pipe request');
}

/** `value` as a {@link PipeAnswer}, or a TypeError saying what is wrong. */
export function parsePipeAnswer(value: unknown): PipeAnswer {
  return parsed(pipeAnswerSchema, value, 'pipe answer');
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw new TypeError(`invalid ${what}: ${problems.join('; ')}`);
}

/** The pipe's description of `producer`'s codec, sent on payload type `payloadType`. */
export function pipeCodecOf(producer: Producer, payloadType: number): PipeCodec {
  const c = producer.codec;
  return {
    mimeType: c.mimeType,
    clockRate: c.clockRate,
    channels: c.channels ?? null,
    payloadType,
    sdpFmtpLine: c.parameters ?? null,
    rtcpFeedback: c.rtcpFeedback.map((f) =>
      f.parameter === undefined ? { type: f.type } : { type: f.type, parameter: f.parameter },
    ),
  };
}

/** werift's codec parameters of a piped track, as a publisher's negotiation would have produced them. */
export function rtpCodecParameters(codec: PipeCodec): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    payloadType: codec.payloadType,
    ...(codec.channels === null ? {} : { channels: codec.channels }),
    ...(codec.sdpFmtpLine === null ? {} : { parameters: codec.sdpFmtpLine }),
    rtcpFeedback: codec.rtcpFeedback.map((f) => ({ ...f })),
  });
}

/**
 * True if a pipe that carries `a` can carry `b` from now on: the rule a local consumer applies when its
 * publisher restarts (same MIME type), plus the clock rate the remote producer counts in.
 */
export function sameCodec(a: PipeCodec, b: PipeCodec): boolean {
  return a.mimeType.toLowerCase() === b.mimeType.toLowerCase() && a.clockRate === b.clockRate;
}
