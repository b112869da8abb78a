/**
 * What `startPublishingStream` accepts in the browser: a `ZegoLocalStream` from `createZegoStream`, or a plain
 * `MediaStream` (from the legacy `createStream`, or the app's own).
 */
import { ZegoLocalStream } from './ZegoLocalStream.js';

export type LocalSource = ZegoLocalStream | MediaStream;

/** The MediaStream inside a source, or null for anything else. */
export function mediaStreamOf(source: unknown): MediaStream | null {
  if (source instanceof ZegoLocalStream) return source.stream;
  if (typeof MediaStream === 'function' && source instanceof MediaStream) return source;
  return null;
}
