/**
 * Typed encoders of the server's outgoing frames. The server serializes events and replies only through these,
 * so the compiler checks every field it sends against the protocol's types: a renamed field fails the build,
 * not a client at run time.
 */

import type { ReplyData, ServerEvent, ServerFrame } from './messages.js';
import type { ClientRequestType } from './requests.js';

declare const encodedEvent: unique symbol;

/**
 * A {@link ServerEvent} serialized by {@link encodeEvent}. The brand makes `encodeEvent` the only way to get
 * one, so whatever a session is given to send was typed as an event. Fan-out serializes an event once and
 * gives every recipient the same string.
 */
export type EncodedEvent = string & { readonly [encodedEvent]: true };

/**
 * @example
 * session.push(encodeEvent({ type: 'onlineCount', roomID: 'r1', count: 3 }));
 */
export function encodeEvent(ev: ServerEvent): EncodedEvent {
  return JSON.stringify(ev) as EncodedEvent;
}

/** Serializes a frame that is not an event (hello, error, heartbeat acknowledgement). */
export function encodeFrame(frame: Exclude<ServerFrame, { t: 'evt' } | { t: 'reply' }>): string {
  return JSON.stringify(frame);
}

/** Serializes the successful reply to a request of type `T`. */
export function encodeReply<T extends ClientRequestType>(
  id: number,
  msg: string,
  data: ReplyData[T],
): string {
  return JSON.stringify({ t: 'reply', id, code: 0, msg, data });
}

/** Serializes a refusal: `code` is an Express error code (not 0). */
export function encodeErrorReply(id: number, code: number, msg: string): string {
  return JSON.stringify({ t: 'reply', id, code, msg });
}
