/**
 * Requests from one node to another over the shared state's node messages, with replies and a deadline: the
 * way a node asks a stream's origin for a media pipe. Messages that are not requests or replies are passed on
 * to `onMessage` as they are.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { NodeMessage, SharedState } from './SharedState.js';

const envelope = z.union([
  z.object({ rpc: z.literal('req'), id: z.string(), body: z.unknown() }),
  z.object({ rpc: z.literal('res'), id: z.string(), ok: z.literal(true), body: z.unknown() }),
  z.object({
    rpc: z.literal('res'),
    id: z.string(),
    ok: z.literal(false),
    code: z.number(),
    message: z.string(),
  }),
]);

/** A request the other node refused (or that got no reply in time): `code` is an Express code. */
export class NodeRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'NodeRequestError';
  }
}

export interface NodeRpcOptions {
  state: SharedState;
  /** Answers a request from another node; a thrown error with a numeric `code` is sent back as that code. */
  handle(from: string, body: unknown): Promise<unknown>;
  /** A plain message (not a request or reply) from another node. */
  onMessage(from: string, body: unknown): void;
  /** The code a request that got no reply in time fails with. */
  timeoutCode: number;
}

export class NodeRpc {
  private readonly pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly listener = (m: NodeMessage): void => this.receive(m);

  constructor(private readonly options: NodeRpcOptions) {
    options.state.on('nodeMessage', this.listener);
  }

  /** Sends `body` to `nodeID` and resolves with its reply. */
  request(nodeID: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const id = randomBytes(9).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new NodeRequestError(this.options.timeoutCode, `node ${nodeID} did not answer in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.options.state.sendToNode(nodeID, { rpc: 'req', id, body }).catch((err: unknown) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /** Fails the requests still waiting, and stops listening. */
  close(): void {
    this.options.state.off('nodeMessage', this.listener);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new NodeRequestError(this.options.timeoutCode, 'closed'));
      this.pending.delete(id);
    }
  }

  private receive({ from, body }: NodeMessage): void {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      this.options.onMessage(from, body);
      return;
    }
    const m = parsed.data;
    if (m.rpc === 'req') {
      void this.answer(from, m.id, m.body);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.body);
    else p.reject(new NodeRequestError(m.code, m.message));
  }

  private async answer(from: string, id: string, body: unknown): Promise<void> {
    let reply: object;
    try {
      reply = { rpc: 'res', id, ok: true, body: await this.options.handle(from, body) };
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      reply = {
        rpc: 'res',
        id,
        ok: false,
        code: typeof code === 'number' ? code : this.options.timeoutCode,
        message: err instanceof Error ? err.message : 'refused',
      };
    }
    // A node that went away meanwhile gets nothing; its request times out there, if it is still running.
    await this.options.state.sendToNode(from, reply).catch(() => {});
  }
}
