/**
 * What a node writes to Redis, and what it reads from there, checked before use: room events and node messages from the channels, entries
 * from snapshots. Another process wrote them (another node, another version, anything with access to the
 * database), so a malformed one is dropped and logged rather than trusted.
 */
import {
  type MediaTrackState,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
  type WireRoomExtraInfo,
} from '@parley/protocol';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type {
  MemberEntry,
  NodeHoldings,
  NodeMessage,
  RoomEvent,
  RoomSnapshot,
  StreamEntry,
  UserHolder,
} from '../SharedState.js';

const reason: z.ZodType<StreamDeleteReasonCode> = z.literal(Object.values(StreamDeleteReason));
const trackState: z.ZodType<MediaTrackState> = z.enum(['OPEN', 'MUTE']);
const user = z.object({ userID: z.string(), userName: z.string() });

export const userHolder: z.ZodType<UserHolder> = z.object({ nodeID: z.string(), sessionID: z.string() });

export const memberEntry: z.ZodType<MemberEntry> = z.object({
  userID: z.string(),
  userName: z.string(),
  nodeID: z.string(),
  sessionID: z.string(),
});

export const streamEntry: z.ZodType<StreamEntry> = z.object({
  streamID: z.string(),
  roomID: z.string(),
  userID: z.string(),
  userName: z.string(),
  nodeID: z.string(),
  sessionID: z.string(),
  extraInfo: z.string(),
  media: z.enum(['none', 'sfu']),
  announced: z.boolean(),
  audio: trackState,
  video: trackState,
});

export const roomExtraInfo: z.ZodType<WireRoomExtraInfo> = z.object({
  key: z.string(),
  value: z.string(),
  updateUser: user,
  updateTime: z.number(),
});

const head = { origin: z.string(), seq: z.number().int().positive() };

export const roomEvent: z.ZodType<RoomEvent> = z.discriminatedUnion('kind', [
  z.object({ ...head, kind: z.literal('join'), member: memberEntry, replaced: memberEntry.nullable() }),
  z.object({ ...head, kind: z.literal('leave'), member: memberEntry, reason }),
  z.object({ ...head, kind: z.literal('streamAdd'), streams: z.array(streamEntry) }),
  z.object({ ...head, kind: z.literal('streamUpdate'), streams: z.array(streamEntry) }),
  z.object({ ...head, kind: z.literal('streamDelete'), streams: z.array(streamEntry), reason }),
  z.object({ ...head, kind: z.literal('extraInfo'), info: roomExtraInfo }),
  z.object({
    ...head,
    kind: z.literal('broadcast'),
    fromUser: user,
    message: z.string(),
    sendTime: z.number(),
    messageID: z.number().int().positive(),
  }),
  z.object({
    ...head,
    kind: z.literal('command'),
    fromUser: user,
    command: z.string(),
    toUserIDs: z.array(z.string()),
  }),
  z.object({
    ...head,
    kind: z.literal('barrage'),
    fromUser: user,
    message: z.string(),
    sendTime: z.number(),
    messageID: z.string(),
  }),
]);

/** A node message; a body of `undefined` has no `body` key in JSON. */
export const nodeMessage = z
  .object({ from: z.string(), body: z.unknown().optional() })
  .transform((m): NodeMessage => ({ from: m.from, body: m.body }));

/** Parses JSON text against `schema`; the error says why when it is not JSON or not of that shape. */
export function parseWire<T>(schema: z.ZodType<T>, text: string): { value: T } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  return result.success ? { value: result.data } : { error: z.prettifyError(result.error) };
}

/** A lone UTF-16 surrogate, which UTF-8 (Redis's Lua, the wire to the clients) cannot carry. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * JSON text of a value for Redis. Lone surrogates in strings become U+FFFD, as they would on their way to a
 * client as UTF-8: the scripts' JSON decoder rejects their `\\uD800` escapes, and one odd userName must not make a
 * room's every script fail.
 */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replace(LONE_SURROGATE, '\uFFFD') : v,
  );
}

/** An entry read from Redis, or null (logged) if it is malformed. */
export function readEntry<T>(schema: z.ZodType<T>, text: string, log: Logger): T | null {
  const parsed = parseWire(schema, text);
  if ('value' in parsed) return parsed.value;
  log.warn('dropped a malformed entry', { error: parsed.error });
  return null;
}

/** What the snapshot script returns: the room's seq and its entries as JSON texts. */
export type SnapshotReply = [seq: number, members: string[], streams: string[], extraInfo: string[]];

/** A snapshot read from Redis; malformed entries are left out (and logged). */
export function readSnapshot([seq, members, streams, extraInfo]: SnapshotReply, log: Logger): RoomSnapshot {
  const all = <T>(schema: z.ZodType<T>, texts: string[]): T[] =>
    texts.map((text) => readEntry(schema, text, log)).filter((entry): entry is T => entry !== null);
  return {
    seq,
    members: all(memberEntry, members),
    streams: all(streamEntry, streams),
    extraInfo: all(roomExtraInfo, extraInfo),
  };
}

/** A node's holdings as the restore script reads them (lua/restore.ts): arrays, appIDs as text, entries as JSON. */
export function holdingsToWire(holdings: NodeHoldings): string {
  return toWire({
    u: holdings.users.map((u) => [String(u.appID), u.userID, toWire(u.holder)]),
    m: holdings.members.map((m) => [String(m.appID), m.roomID, m.maxMemberCount, toWire(m.member)]),
    s: holdings.streams.map((s) => [String(s.appID), toWire(s.stream)]),
    x: holdings.extraInfo.map((x) => [String(x.appID), x.roomID, x.info.key, toWire(x.info)]),
  });
}
