/**
 * The videoroom plugin's requests the bench makes (https://janus.conf.meetecho.com/docs/videoroom.html), over
 * a {@link JanusSession}: a room for one fan-out, a publisher that publishes an offer, and subscribers that
 * take Janus's offer for the publisher's feed and answer it.
 */
import type { JanusSession, Jsep } from './JanusSession.js';

export const VIDEOROOM = 'janus.plugin.videoroom';

/**
 * Creates a room for a fan-out of `maxSubscribers` subscribers: Opus and VP8 only (the codecs of the
 * synthetic tracks), no bitrate cap (0) and no REMB-driven cap, no recording; a room that is not saved.
 * Resolves with its number.
 */
export async function createRoom(session: JanusSession, handle: number, room: number): Promise<number> {
  const { data } = await session.request(handle, {
    request: 'create',
    room,
    permanent: false,
    description: 'parley bench fan-out',
    publishers: 4,
    bitrate: 0,
    bitrate_cap: false,
    fir_freq: 0,
    audiocodec: 'opus',
    videocodec: 'vp8',
    record: false,
    notify_joining: false,
  });
  if (data.videoroom !== 'created') throw new Error(`janus: room not created (${JSON.stringify(data)})`);
  return room;
}

/** Destroys `room`. */
export async function destroyRoom(session: JanusSession, handle: number, room: number): Promise<void> {
  await session.request(handle, { request: 'destroy', room });
}

/**
 * Joins `room` on `handle` as a publisher and publishes `offer` (audio and/or video); resolves with the
 * publisher's feed id and Janus's answer.
 */
export async function publish(
  session: JanusSession,
  handle: number,
  room: number,
  offer: Jsep,
): Promise<{ feed: number; answer: Jsep }> {
  const joined = await session.request(handle, {
    request: 'join',
    ptype: 'publisher',
    room,
    display: 'bench publisher',
  });
  const feed = joined.data.id;
  if (typeof feed !== 'number') throw new Error(`janus: no publisher id (${JSON.stringify(joined.data)})`);
  const { data, jsep } = await session.request(
    handle,
    { request: 'publish', audio: true, video: true },
    offer,
  );
  if (data.configured !== 'ok' || jsep?.type !== 'answer') {
    throw new Error(`janus: publish not configured (${JSON.stringify(data)})`);
  }
  return { feed, answer: jsep };
}

/** Joins `room` on `handle` as a subscriber of `feed`; resolves with Janus's offer. */
export async function subscribe(
  session: JanusSession,
  handle: number,
  room: number,
  feed: number,
): Promise<Jsep> {
  const { data, jsep } = await session.request(handle, {
    request: 'join',
    ptype: 'subscriber',
    room,
    streams: [{ feed }],
  });
  if (data.videoroom !== 'attached' || jsep?.type !== 'offer') {
    throw new Error(`janus: subscription not attached (${JSON.stringify(data)})`);
  }
  return jsep;
}

/** Starts the subscription on `handle` with the subscriber's `answer`. */
export async function start(session: JanusSession, handle: number, answer: Jsep): Promise<void> {
  const { data } = await session.request(handle, { request: 'start' }, answer);
  if (data.started !== 'ok') throw new Error(`janus: subscription not started (${JSON.stringify(data)})`);
}
