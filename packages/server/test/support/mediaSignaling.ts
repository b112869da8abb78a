/**
 * Media over signaling for server tests: the server's health counters, the STUN URL a client got in `hello`,
 * and werift test clients that publish and play through `publish` / `play` / `playAnswer` requests.
 */
import assert from 'node:assert/strict';
import type { HelloFrame, ReplyFrame } from '@parley/protocol';
import { type PublisherOptions, TestPlayer, TestPublisher } from '../sfu/support/clients.js';
import type { RawClient } from './RawClient.js';

/** The counters of `/healthz`. */
export interface Health {
  connections: number;
  sessions: number;
  rooms: number;
  streams: number;
  mediaTransports: number;
}

export async function health(server: { httpUrl: string }): Promise<Health> {
  const res = await fetch(`${server.httpUrl}/healthz`);
  return (await res.json()) as Health;
}

/** The `iceServers` of the client's `hello`: the server's own STUN responder on loopback, and nothing else. */
export function iceServersOf(c: RawClient): string[] {
  const hello = c.frames.find((f) => f.t === 'hello') as HelloFrame;
  assert.equal(hello.iceServers.length, 1);
  assert.match(hello.iceServers[0]!, /^stun:127\.0\.0\.1:\d+$/);
  return hello.iceServers;
}

/** The reply's data; fails unless the reply is a success. */
export function ok(reply: ReplyFrame): Record<string, unknown> {
  assert.equal(reply.code, 0, `expected success, got ${reply.code} ${reply.msg}`);
  return (reply.data ?? {}) as Record<string, unknown>;
}

/** Publishes `streamID` from a werift client over `c`'s signaling; resolves once its media path is connected. */
export async function publishMedia(
  c: RawClient,
  roomID: string,
  streamID: string,
  options: PublisherOptions = {},
): Promise<TestPublisher> {
  const publisher = new TestPublisher({ url: iceServersOf(c)[0]! }, options);
  try {
    await publisher.negotiate(async (sdp) => {
      const data = ok(await c.request('publish', { roomID, streamID, sdp }));
      return data['sdp'] as string;
    });
  } catch (err) {
    await publisher.close();
    throw err;
  }
  return publisher;
}

/** Plays `streamID` with a werift client over `c`'s signaling; resolves once its media path is connected. */
export async function playMedia(
  c: RawClient,
  streamID: string,
): Promise<{ player: TestPlayer; data: Record<string, unknown> }> {
  const player = new TestPlayer({ url: iceServersOf(c)[0]! });
  try {
    const data = ok(await c.request('play', { streamID }));
    await player.answer(data['sdp'] as string, async (sdp) =>
      ok(await c.request('playAnswer', { streamID, sdp })),
    );
    return { player, data };
  } catch (err) {
    await player.close();
    throw err;
  }
}
