/**
 * What the rooms layer of one node sends another through the cluster's shared state, and how a received one is
 * read: validated with a schema, since a message may come from a node of another version.
 */
import { z } from 'zod';

const kick = z.object({
  kind: z.literal('kick'),
  appID: z.number().int(),
  sessionID: z.string(),
  code: z.number().int(),
  /** The reason the server API gave (KickoutUser's CustomReason), told to the client in its kickout event. */
  customReason: z.string().optional(),
});

const trackState = z.enum(['OPEN', 'MUTE']);

/** A publisher muted or unmuted a track: the nodes its stream is piped to tell their players. */
const streamMediaState = z.object({
  kind: z.literal('streamMediaState'),
  appID: z.number().int(),
  streamID: z.string(),
  audio: trackState,
  video: trackState,
});

/** The server API forbade a stream: its origin stops it, and every node stops its players of it. */
const streamForbidden = z.object({
  kind: z.literal('streamForbidden'),
  appID: z.number().int(),
  streamID: z.string(),
});

const nodeMessage = z.discriminatedUnion('kind', [kick, streamMediaState, streamForbidden]);

export type NodeMessageBody = z.infer<typeof nodeMessage>;

/** Sends a node message of the kinds above: typed here, so a message the receiver would not read fails the build. */
export interface NodeSender {
  send(nodeID: string, message: NodeMessageBody): Promise<void>;
}

/** The message, or null if it is not one this node understands. */
export function parseNodeMessage(body: unknown): NodeMessageBody | null {
  const parsed = nodeMessage.safeParse(body);
  return parsed.success ? parsed.data : null;
}
