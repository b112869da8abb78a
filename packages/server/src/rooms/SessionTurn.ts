/**
 * One session's TURN servers: credentials signed when the session starts, and new ones pushed to it
 * (`turnCredentials`) before those expire, for as long as the session lives — detached ones too, so a client
 * that resumes finds fresh credentials in its resume reply and in the events replayed after it.
 */
import type { TurnServers } from '@parley/protocol';
import { turnCredentials } from '../turn/turnCredentials.js';
import { type Cancel, setTimeoutAt } from '../util/longTimeout.js';

/** What the rooms layer needs to offer TURN servers: their URLs and the secret they share with it. */
export interface TurnSettings {
  /** `turn:` / `turns:` URLs, handed to the clients as they are. */
  urls: string[];
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** Lifetime of one set of credentials. */
  ttlSeconds: number;
}

/**
 * The share of a credential's lifetime after which it is renewed: the rest is the margin for a client whose
 * socket is away (it gets the renewal in its resume) and for clocks a little apart.
 */
export const TURN_RENEW_FRACTION = 0.8;

/**
 * @example
 * const turn = new SessionTurn(settings, 'alice', (servers) => session.push(encodeEvent({ type: 'turnCredentials', turn: servers })));
 * reply({ ..., turn: turn.servers });
 * turn.close(); // when the session ends
 */
export class SessionTurn {
  private current: TurnServers;
  private cancelRenewal: Cancel | null = null;
  private closed = false;

  constructor(
    private readonly settings: TurnSettings,
    private readonly userID: string,
    /** Called with each renewal, to be sent to the session. */
    private readonly renewed: (servers: TurnServers) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.current = this.sign();
    this.armRenewal();
  }

  /** The newest credentials. */
  get servers(): TurnServers {
    return this.current;
  }

  /** Stops renewing. Idempotent. */
  close(): void {
    this.closed = true;
    this.cancelRenewal?.();
    this.cancelRenewal = null;
  }

  private sign(): TurnServers {
    const { secret, ttlSeconds, urls } = this.settings;
    return { urls: [...urls], ...turnCredentials(secret, this.userID, ttlSeconds, this.now()) };
  }

  private armRenewal(): void {
    const now = this.now();
    const atMs = now + TURN_RENEW_FRACTION * (this.current.expiresAt * 1000 - now);
    this.cancelRenewal = setTimeoutAt(
      atMs,
      () => {
        this.cancelRenewal = null;
        if (this.closed) return;
        this.current = this.sign();
        this.armRenewal();
        this.renewed(this.current);
      },
      this.now,
    );
  }
}
