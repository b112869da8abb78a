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
});

const nodeMessage = z.discriminatedUnion('kind', [kick]);

export type NodeMessageBody = z.infer<typeof nodeMessage>;

/** The message, or null if it is not one this node understands. */
export function parseNodeMessage(body: unknown): NodeMessageBody | null {
  const parsed = nodeMessage.safeParse(body);
  return parsed.success ? parsed.data : null;
}
