/**
 * A client of Janus's HTTP API (https://janus.conf.meetecho.com/docs/rest.html): one session, its plugin
 * handles, and a long poll that receives the session's events. Asynchronous plugin requests (join, publish,
 * start) are answered by an event with the request's transaction; the long poll also keeps the session alive.
 */
import { randomUUID } from 'node:crypto';

/** A JSEP description as Janus carries it. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

/** A message from Janus (a reply or an event). */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
}

/** What a plugin request resolves with: the plugin's data and any JSEP. */
export interface PluginReply {
  data: Record<string, unknown>;
  jsep: Jsep | undefined;
}

const REQUEST_TIMEOUT_MS = 20_000;

/** The plugin's error in `data` (videoroom: `error_code`, `error`), as an Error, or null. */
function pluginError(data: Record<string, unknown>): Error | null {
  if (typeof data.error_code === 'number' || typeof data.error === 'string') {
    return new Error(`janus plugin error ${String(data.error_code)}: ${String(data.error)}`);
  }
  return null;
}

/**
 * @example
 * const session = await JanusSession.create(janus.apiUrl);
 * const handle = await session.attach('janus.plugin.videoroom');
 * const { data } = await session.request(handle, { request: 'list' });
 * await session.close();
 */
export class JanusSession {
  private readonly pending = new Map<
    string,
    { resolve: (m: JanusMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private closed = false;
  private readonly polling: Promise<void>;
  private readonly abort = new AbortController();

  private constructor(
    private readonly apiUrl: string,
    /** Janus's session id. */
    readonly id: number,
  ) {
    this.polling = this.poll();
  }

  /** Creates a session on the Janus at `apiUrl` (e.g. `http://198.18.99.2:8088/janus`). */
  static async create(apiUrl: string): Promise<JanusSession> {
    const reply = await post(apiUrl, { janus: 'create', transaction: randomUUID() });
    if (reply.janus !== 'success' || reply.data === undefined) throw replyError('create', reply);
    return new JanusSession(apiUrl, reply.data.id);
  }

  /** Attaches a handle of `plugin`; resolves with its id. */
  async attach(plugin: string): Promise<number> {
    const reply = await post(`${this.apiUrl}/${this.id}`, {
      janus: 'attach',
      plugin,
      transaction: randomUUID(),
    });
    if (reply.janus !== 'success' || reply.data === undefined) throw replyError('attach', reply);
    return reply.data.id;
  }

  /** Detaches `handle` (its PeerConnection, if any, is closed by Janus). */
  async detach(handle: number): Promise<void> {
    const reply = await post(`${this.apiUrl}/${this.id}/${handle}`, {
      janus: 'detach',
      transaction: randomUUID(),
    });
    if (reply.janus !== 'success') throw replyError('detach', reply);
  }

  /**
   * Sends `body` (and `jsep`) to `handle`'s plugin. A synchronous request resolves with Janus's reply; an
   * asynchronous one (acknowledged first) with the event that carries its transaction.
   */
  async request(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
    const transaction = randomUUID();
    const message = {
      janus: 'message',
      transaction,
      body,
      ...(jsep ? { jsep: { ...jsep, trickle: false } } : {}),
    };
    const event = new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`janus: no answer to ${String(body.request)} in ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(transaction, { resolve, reject, timer });
    });
    let reply: JanusMessage;
    try {
      reply = await post(`${this.apiUrl}/${this.id}/${handle}`, message);
    } catch (err) {
      this.settle(transaction)?.reject(err as Error);
      throw err;
    }
    if (reply.janus === 'ack') reply = await event;
    else {
      this.settle(transaction);
      event.catch(() => {});
    }
    if (reply.janus !== 'success' && reply.janus !== 'event') throw replyError(String(body.request), reply);
    const data = reply.plugindata?.data ?? {};
    const error = pluginError(data);
    if (error) throw error;
    return { data, jsep: reply.jsep };
  }

  /** Destroys the session (Janus closes its handles) and stops the long poll. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await post(`${this.apiUrl}/${this.id}`, { janus: 'destroy', transaction: randomUUID() });
    } finally {
      this.abort.abort();
      await this.polling;
      for (const t of [...this.pending.keys()]) this.settle(t)?.reject(new Error('janus session closed'));
    }
  }

  private settle(transaction: string) {
    const p = this.pending.get(transaction);
    if (p === undefined) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(transaction);
    return p;
  }

  /** Long-polls the session's events (Janus answers at once with events, or a keepalive after 30 s). */
  private async poll(): Promise<void> {
    while (!this.closed) {
      try {
        const res = await fetch(`${this.apiUrl}/${this.id}?maxev=20`, { signal: this.abort.signal });
        const body = (await res.json()) as JanusMessage | JanusMessage[];
        for (const m of Array.isArray(body) ? body : [body]) {
          if (m.transaction !== undefined && m.janus !== 'ack') this.settle(m.transaction)?.resolve(m);
        }
      } catch {
        if (this.closed) return;
        // A failed poll (a reset connection): poll again; a request whose event is lost times out.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** POSTs `body` as JSON to `url`; resolves with Janus's reply. */
async function post(url: string, body: unknown): Promise<JanusMessage> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`janus ${url}: HTTP ${res.status}`);
  return (await res.json()) as JanusMessage;
}

function replyError(what: string, reply: JanusMessage): Error {
  return new Error(
    `janus ${what}: ${reply.error ? `${reply.error.code} ${reply.error.reason}` : JSON.stringify(reply).slice(0, 200)}`,
  );
}
