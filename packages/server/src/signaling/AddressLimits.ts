/**
 * Limits per client address, over all of that address's signaling sockets: how many sockets it holds, how many
 * of those have not logged in yet, how many frames per second they send together, how often it logs in, and a
 * lockout that doubles with each further failed login. An address at a limit is refused with a defined code and
 * never spends another address's budget. Every refusal is counted for `/healthz` and logged at warn at most once
 * a minute per address and limit, with the number of refusals since.
 *
 * Memory is bounded: an address with open sockets costs one entry (and sockets are bounded by the sockets
 * limit), an idle address is forgotten a minute after its last activity (or once its failed logins are
 * forgotten), and past `maxTrackedAddresses` the idle addresses seen longest ago make room for new ones.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, ParleyError } from '@parley/protocol';
import type { Logger } from '../log.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { addressKey, clientAddress, TrustedProxies } from './clientAddress.js';
import type { AddressLimitSettings } from './limitSettings.js';

/** What is counted: each per-address limit, and HTTP requests cut for being too slow. */
export type LimitName =
  | 'socketsPerAddress'
  | 'preLoginSocketsPerAddress'
  | 'framesPerSecondPerAddress'
  | 'loginsPerSecondPerAddress'
  | 'loginBackoff'
  | 'httpTimeouts';

/** The counters of `/healthz`: addresses remembered now, and refusals per limit since the start. */
export interface LimitStats {
  addresses: number;
  refused: Record<LimitName, number>;
}

/** A new socket either gets its slot, or is refused for `limit` with a close `reason` for the client. */
export type Admission =
  | { ok: true; slot: AddressSlot }
  | { ok: false; limit: LimitName; reason: string; done: () => void };

/**
 * Login refusals a guesser would get: a wrong AppID, AppSign or token. Refusals that are no one's fault (a full
 * room, a bad identifier) and resumes (which fail en masse after a restart) do not count towards the lockout.
 */
const CREDENTIAL_FAILURES = new Set<number>([
  ErrorCode.APP_ID_INVALID,
  ErrorCode.APP_SIGN_WRONG,
  ErrorCode.TOKEN_INVALID,
  ErrorCode.TOKEN_EXPIRED,
  ErrorCode.TOKEN_EXPIRED_NATIVE,
  ErrorCode.TOKEN_USER_MISMATCH,
]);

/** One warn line per address and limit per interval; the refusals in between are only counted. */
const WARN_INTERVAL_MS = 60_000;
/** An address with no socket and nothing to remember is forgotten this long after its last activity. */
const IDLE_TTL_MS = 60_000;
const SWEEP_INTERVAL_MS = 10_000;
/** How far from the oldest end a new address looks for an idle one to evict when the table is full. */
const EVICTION_SCAN = 64;
/**
 * Refused sockets of one address still finishing their close handshake. Beyond this many the address's further
 * upgrades get a plain HTTP 429 instead: cheaper, and it bounds the descriptors a refused address holds.
 */
const MAX_CLOSING_REFUSALS = 32;

interface Warned {
  at: number;
  since: number;
}

/** What is known about one address. */
export interface AddressState {
  readonly key: string;
  sockets: number;
  preLogin: number;
  /** Refused sockets whose close handshake is under way. */
  refusing: number;
  readonly frames: TokenBucket | null;
  readonly logins: TokenBucket | null;
  /** Failed logins in a row (credentials only); reset by a success, forgotten after the failure memory. */
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  lastActiveAt: number;
  warned: Partial<Record<LimitName, Warned>> | null;
}

export class AddressLimits {
  private readonly states = new Map<string, AddressState>();
  private readonly counters: Record<LimitName, number> = {
    socketsPerAddress: 0,
    preLoginSocketsPerAddress: 0,
    framesPerSecondPerAddress: 0,
    loginsPerSecondPerAddress: 0,
    loginBackoff: 0,
    httpTimeouts: 0,
  };
  private readonly proxies: TrustedProxies;
  private readonly timer: NodeJS.Timeout;

  /** @throws TypeError for a `trustedProxies` entry that is not an address or CIDR range. */
  constructor(
    readonly settings: AddressLimitSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.proxies = new TrustedProxies(settings.trustedProxies);
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** The address a request's client is counted under. */
  addressOf(req: IncomingMessage): string {
    return clientAddress(req, this.proxies);
  }

  /**
   * True if a new socket from `address` would be refused while the address already has many refusals closing:
   * then the upgrade is answered with a plain HTTP 429 (counted here) rather than a WebSocket close.
   */
  turnAway(address: string): boolean {
    const state = this.states.get(address);
    if (!state || state.refusing < MAX_CLOSING_REFUSALS) return false;
    const limit = this.refusalOf(state)?.limit;
    if (!limit) return false;
    this.refused(state, limit);
    return true;
  }

  /** Admits a new socket of `address`, or says why not. A refused socket must call `done` once it closed. */
  admit(address: string): Admission {
    const state = this.stateOf(address);
    state.lastActiveAt = this.now();
    const refusal = this.refusalOf(state);
    if (refusal) {
      this.refused(state, refusal.limit);
      state.refusing += 1;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        state.refusing -= 1;
        state.lastActiveAt = this.now();
      };
      return { ok: false, ...refusal, done: finish };
    }
    state.sockets += 1;
    state.preLogin += 1;
    return { ok: true, slot: new AddressSlot(this, state) };
  }

  /** Counts an HTTP request cut for its slowness (headers or body too slow). */
  httpTimeout(remoteAddress: string | undefined): void {
    const state = this.stateOf(addressKey(remoteAddress ?? 'unknown'));
    state.lastActiveAt = this.now();
    this.refused(state, 'httpTimeouts');
  }

  stats(): LimitStats {
    return { addresses: this.states.size, refused: { ...this.counters } };
  }

  /** Forgets idle addresses with nothing left to remember. */
  sweep(): void {
    const now = this.now();
    for (const [key, state] of this.states) {
      if (state.sockets > 0 || state.refusing > 0 || state.lockedUntil > now) continue;
      if (now - state.lastActiveAt < IDLE_TTL_MS) continue;
      if (state.failures > 0 && now - state.lastFailureAt < this.settings.loginFailureMemoryMs) continue;
      this.states.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  // --- used by AddressSlot ---

  /** Takes a frame from the address's shared budget; false (counted) if it is spent. */
  takeFrame(state: AddressState): boolean {
    if (!state.frames || state.frames.take()) return true;
    this.refused(state, 'framesPerSecondPerAddress');
    return false;
  }

  /** @throws ParleyError 1002071 while the address is locked out or logs in too often. */
  checkLogin(state: AddressState): void {
    const now = this.now();
    state.lastActiveAt = now;
    if (state.lockedUntil > now) {
      this.refused(state, 'loginBackoff');
      throw ParleyError.of(
        ErrorCode.LOGIN_TOO_FREQUENT,
        `too many failed logins from this address, retry in ${state.lockedUntil - now} ms`,
      );
    }
    if (state.logins && !state.logins.take()) {
      this.refused(state, 'loginsPerSecondPerAddress');
      throw ParleyError.of(
        ErrorCode.LOGIN_TOO_FREQUENT,
        `more than ${this.settings.loginsPerSecondPerAddress} logins a second from this address`,
      );
    }
  }

  /** Counts a failed login; a credential failure past the threshold locks the address out, twice as long each time. */
  loginFailed(state: AddressState, code: number): void {
    const { loginFailuresBeforeBackoff: threshold, loginBackoffMs, loginBackoffMaxMs } = this.settings;
    if (threshold <= 0 || !CREDENTIAL_FAILURES.has(code)) return;
    const now = this.now();
    if (now - state.lastFailureAt >= this.settings.loginFailureMemoryMs) state.failures = 0;
    state.failures += 1;
    state.lastFailureAt = now;
    const beyond = state.failures - threshold;
    if (beyond < 0) return;
    const lockout = Math.min(loginBackoffMaxMs, loginBackoffMs * 2 ** Math.min(beyond, 40));
    state.lockedUntil = now + lockout;
    // The first lockout of a run is worth a warning; the longer ones that follow are routine.
    const fields = { address: state.key, failures: state.failures, lockoutMs: lockout };
    if (beyond === 0) this.log.warn('login lockout', fields);
    else this.log.debug('login lockout', fields);
  }

  loginSucceeded(state: AddressState): void {
    state.failures = 0;
    state.lockedUntil = 0;
  }

  released(state: AddressState, wasPreLogin: boolean): void {
    state.sockets -= 1;
    if (wasPreLogin) state.preLogin -= 1;
    state.lastActiveAt = this.now();
  }

  // --- internals ---

  private refusalOf(state: AddressState): { limit: LimitName; reason: string } | null {
    const { socketsPerAddress, preLoginSocketsPerAddress } = this.settings;
    if (socketsPerAddress > 0 && state.sockets >= socketsPerAddress) {
      return {
        limit: 'socketsPerAddress',
        reason: `too many sockets from this address (${socketsPerAddress})`,
      };
    }
    if (preLoginSocketsPerAddress > 0 && state.preLogin >= preLoginSocketsPerAddress) {
      return {
        limit: 'preLoginSocketsPerAddress',
        reason: `too many sockets waiting to log in from this address (${preLoginSocketsPerAddress})`,
      };
    }
    return null;
  }

  /** Counts a refusal, and logs it unless this address and limit were logged within the interval. */
  private refused(state: AddressState, limit: LimitName): void {
    this.counters[limit] += 1;
    const now = this.now();
    state.warned ??= {};
    const last = state.warned[limit];
    if (last && now - last.at < WARN_INTERVAL_MS) {
      last.since += 1;
      return;
    }
    this.log.warn('limit reached', { address: state.key, limit, refusedSinceLastWarning: last?.since ?? 0 });
    state.warned[limit] = { at: now, since: 0 };
  }

  /** The state of `key`, created if new; a new one may evict the idle address seen longest ago. */
  private stateOf(key: string): AddressState {
    const known = this.states.get(key);
    if (known) {
      // Re-inserted so that the map's order is least recently active first.
      this.states.delete(key);
      this.states.set(key, known);
      return known;
    }
    if (this.settings.maxTrackedAddresses > 0 && this.states.size >= this.settings.maxTrackedAddresses) {
      this.evictOne();
    }
    const { framesPerSecondPerAddress: fps, loginsPerSecondPerAddress: lps } = this.settings;
    const state: AddressState = {
      key,
      sockets: 0,
      preLogin: 0,
      refusing: 0,
      frames: fps > 0 ? new TokenBucket(fps, fps * 2, this.now) : null,
      logins: lps > 0 ? new TokenBucket(lps, lps * 2, this.now) : null,
      failures: 0,
      lastFailureAt: Number.NEGATIVE_INFINITY,
      lockedUntil: 0,
      lastActiveAt: this.now(),
      warned: null,
    };
    this.states.set(key, state);
    return state;
  }

  private evictOne(): void {
    let scanned = 0;
    for (const [key, state] of this.states) {
      if (++scanned > EVICTION_SCAN) return;
      if (state.sockets === 0 && state.refusing === 0) {
        this.states.delete(key);
        return;
      }
    }
  }
}

/** One admitted socket's share of its address: frames, logins, and its place among the pre-login sockets. */
export class AddressSlot {
  private preLogin = true;
  private isReleased = false;

  constructor(
    private readonly limits: AddressLimits,
    private readonly state: AddressState,
  ) {}

  get address(): string {
    return this.state.key;
  }

  /** Takes one frame from the address's budget; false if it is spent. */
  takeFrame(): boolean {
    return this.limits.takeFrame(this.state);
  }

  /** @throws ParleyError 1002071 when the address may not log in now. */
  checkLogin(): void {
    this.limits.checkLogin(this.state);
  }

  /** The login was refused with `err` (a ParleyError, or anything else thrown). */
  loginFailed(err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'number') this.limits.loginFailed(this.state, code);
  }

  loginSucceeded(): void {
    this.limits.loginSucceeded(this.state);
    this.loggedIn();
  }

  /** The socket has a session now (a login or a resume): it no longer counts as waiting to log in. */
  loggedIn(): void {
    if (!this.preLogin) return;
    this.preLogin = false;
    this.state.preLogin -= 1;
  }

  /** The socket closed. Idempotent. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.limits.released(this.state, this.preLogin);
    this.preLogin = false;
  }
}
