/**
 * Delivers server callbacks: an HTTP POST of JSON to the app's `callbackUrl`, signed with its `callbackSecret`.
 * A 2xx answer is success; anything else (another status, a refused connection, a timeout) is retried after each
 * of `retryDelaysMs` in turn (ZEGO's 2, 4, 8, 16 and 32 s by default), then the event is dropped and counted.
 *
 * {@link CallbackSender.send} never blocks or throws: it queues the event and returns. Each app has its own queue,
 * bounded by `queueLimit` events (waiting, in flight or waiting for a retry); an event beyond it is dropped and
 * counted, so a receiver that is down cannot make the server hold unbounded memory. At most `concurrency` POSTs
 * per app are in flight, so a slow receiver cannot open unbounded connections either.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AppConfig } from '../config/apps.js';
import type { Logger } from '../log.js';
import type { CallbackEvent } from './events.js';
import { callbackNonce, callbackSignature } from './signature.js';

export interface CallbackSenderOptions {
  /** The apps; those without `callbackUrl` get no callbacks. */
  apps: readonly AppConfig[];
  /** Waits before each retry; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  /** How long one POST may take before it counts as failed. */
  timeoutMs: number;
  /** Events one app may have queued, in flight or waiting for a retry. */
  queueLimit: number;
  /** POSTs one app may have in flight at once. */
  concurrency?: number;
  /** How long {@link CallbackSender.close} lets queued and in-flight deliveries finish before aborting them. */
  closeGraceMs?: number;
  logger: Logger;
  /** The clock of the `timestamp` field (ms). */
  now?: () => number;
}

/** The counters of {@link CallbackSender.stats}. */
export interface CallbackStats {
  /** Events a receiver answered with 2xx. */
  delivered: number;
  /** Attempts that failed and were scheduled again. */
  retried: number;
  /** Events given up: every retry failed, the queue was full, or the server closed before they went out. */
  dropped: number;
  /** Events queued, in flight or waiting for a retry now. */
  pending: number;
}

interface Delivery {
  event: CallbackEvent;
  /** Attempts made so far. */
  attempts: number;
}

interface AppChannel {
  appID: number;
  url: URL;
  secret: string;
  ready: Delivery[];
  /** Deliveries in flight, with the controller that aborts each. */
  inFlight: Map<Delivery, AbortController>;
  /** Deliveries waiting for their retry time. */
  waiting: Map<Delivery, NodeJS.Timeout>;
  /** Events refused by a full queue since the last warning about it, and when that was. */
  overflowed: number;
  overflowLoggedAt: number;
}

export class CallbackSender {
  private readonly channels = new Map<number, AppChannel>();
  private readonly counts = { delivered: 0, retried: 0, dropped: 0 };
  private readonly now: () => number;
  private readonly concurrency: number;
  private closing = false;
  private idle: (() => void) | null = null;

  constructor(private readonly o: CallbackSenderOptions) {
    this.now = o.now ?? Date.now;
    this.concurrency = o.concurrency ?? 8;
    for (const app of o.apps) {
      if (app.callbackUrl === undefined || app.callbackSecret === undefined) continue;
      this.channels.set(app.appID, {
        appID: app.appID,
        url: new URL(app.callbackUrl),
        secret: app.callbackSecret,
        ready: [],
        inFlight: new Map(),
        waiting: new Map(),
        overflowed: 0,
        overflowLoggedAt: Number.NEGATIVE_INFINITY,
      });
    }
  }

  /** True when the app has a callback URL (callers may skip building events otherwise). */
  wants(appID: number): boolean {
    return this.channels.has(appID) && !this.closing;
  }

  /** Queues an event for the app's receiver; returns at once. */
  send(appID: number, event: CallbackEvent): void {
    const channel = this.channels.get(appID);
    if (!channel) return;
    if (this.closing || sizeOf(channel) >= this.o.queueLimit) {
      this.counts.dropped += 1;
      channel.overflowed += 1;
      // A receiver that is down for long would make one line per event: one every 10 s says it with a count.
      const now = this.now();
      if (now - channel.overflowLoggedAt >= 10_000) {
        const why = this.closing ? 'the server is closing' : 'the queue is full';
        this.o.logger.warn(`callbacks dropped: ${why}`, { appID, dropped: channel.overflowed });
        channel.overflowLoggedAt = now;
        channel.overflowed = 0;
      }
      return;
    }
    channel.ready.push({ event, attempts: 0 });
    this.pump(channel);
  }

  stats(): CallbackStats {
    let pending = 0;
    for (const c of this.channels.values()) pending += sizeOf(c);
    return { ...this.counts, pending };
  }

  /**
   * Stops taking events, drops those waiting for a retry, and lets the queued and in-flight ones go out for up to
   * `closeGraceMs` (default 1000 ms); what is left then is aborted and counted as dropped.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const c of this.channels.values()) {
      for (const timer of c.waiting.values()) clearTimeout(timer);
      this.counts.dropped += c.waiting.size;
      c.waiting.clear();
    }
    if (this.stats().pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.closeGraceMs ?? 1000);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.idle = null;
    for (const c of this.channels.values()) {
      this.counts.dropped += c.ready.length;
      c.ready.length = 0;
      for (const controller of c.inFlight.values()) controller.abort();
    }
  }

  private pump(channel: AppChannel): void {
    while (channel.inFlight.size < this.concurrency && channel.ready.length > 0) {
      const delivery = channel.ready.shift() as Delivery;
      const controller = new AbortController();
      channel.inFlight.set(delivery, controller);
      void this.attempt(channel, delivery, controller.signal).then((ok) => {
        channel.inFlight.delete(delivery);
        if (ok) this.counts.delivered += 1;
        else this.failed(channel, delivery);
        this.pump(channel);
        if (this.idle && this.stats().pending === 0) this.idle();
      });
    }
  }

  private failed(channel: AppChannel, delivery: Delivery): void {
    const delay = this.o.retryDelaysMs[delivery.attempts - 1];
    if (delay === undefined || this.closing) {
      this.counts.dropped += 1;
      this.o.logger.warn('callback dropped: the receiver did not take it', {
        appID: channel.appID,
        event: delivery.event.event,
        attempts: delivery.attempts,
      });
      return;
    }
    this.counts.retried += 1;
    const timer = setTimeout(() => {
      channel.waiting.delete(delivery);
      channel.ready.push(delivery);
      this.pump(channel);
    }, delay);
    timer.unref();
    channel.waiting.set(delivery, timer);
  }

  /** One POST; resolves true on a 2xx answer, false on anything else. Never rejects. */
  private attempt(channel: AppChannel, delivery: Delivery, signal: AbortSignal): Promise<boolean> {
    delivery.attempts += 1;
    const timestamp = Math.floor(this.now() / 1000);
    const nonce = callbackNonce();
    const body = JSON.stringify({
      ...delivery.event,
      appid: String(channel.appID),
      timestamp,
      nonce,
      signature: callbackSignature(channel.secret, timestamp, nonce),
    });
    const request = channel.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        channel.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: this.o.timeoutMs,
          signal,
          // One connection per POST: a receiver's keep-alive socket would outlive close().
          agent: false,
        },
        (res) => {
          // The answer's body is not used, but it is read so the connection can end.
          res.resume();
          const status = res.statusCode ?? 0;
          // 'close' always comes, after the whole answer or after a cut; only a complete 2xx answer is success.
          res.on('close', () => resolve(res.complete && status >= 200 && status < 300));
          res.on('error', () => resolve(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('callback timed out')));
      req.on('error', (err) => {
        this.o.logger.debug('callback attempt failed', { appID: channel.appID, err: String(err) });
        resolve(false);
      });
      req.end(body);
    });
  }
}

function sizeOf(c: AppChannel): number {
  return c.ready.length + c.inFlight.size + c.waiting.size;
}
