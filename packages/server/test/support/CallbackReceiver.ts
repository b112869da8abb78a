/**
 * A callback receiver for the tests: a real HTTP server on 127.0.0.1 port 0 that records every POST body and
 * answers with what `answer` decides (a status, possibly after a promise the test resolves, to hold a request).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CallbackBody = Record<string, unknown> & { event: string };

/** One POST the receiver got, and the status it answered (null while it holds the answer). */
export interface ReceivedCall {
  body: CallbackBody;
  status: number | null;
}

/** Decides the answer to one POST: a status, or a promise of one (the request is held until it resolves). */
export type Answer = (body: CallbackBody, call: ReceivedCall) => number | Promise<number>;

export class CallbackReceiver {
  readonly calls: ReceivedCall[] = [];
  answer: Answer = () => 200;
  private readonly changed = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CallbackReceiver> {
    let receiver: CallbackReceiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const call: ReceivedCall = {
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallbackBody,
          status: null,
        };
        const r = receiver!;
        r.calls.push(call);
        r.changed.emit('change');
        void Promise.resolve(r.answer(call.body, call)).then((status) => {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status < 300 ? 'ok' : 'no', () => {
            call.status = status;
            r.changed.emit('change');
          });
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new CallbackReceiver(server, `http://127.0.0.1:${port}/parley/callback`);
    return receiver;
  }

  /** The bodies answered with 2xx (each event the server delivered). */
  get accepted(): CallbackBody[] {
    return this.calls.filter((c) => c.status !== null && c.status < 300).map((c) => c.body);
  }

  /** Resolves once `condition` holds (checked at every request and answer), or rejects after `timeoutMs`. */
  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.changed.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.changed.off('change', check);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${JSON.stringify(this.calls.map((c) => c.body.event))}`,
          ),
        );
      }, timeoutMs);
      this.changed.on('change', check);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The signature as a receiver computes it (ZEGO's rule, written here apart from the server's code). */
export function expectedSignature(secret: string, timestamp: unknown, nonce: unknown): string {
  const sorted = [secret, String(timestamp), String(nonce)].sort();
  return createHash('sha1').update(sorted.join('')).digest('hex');
}
