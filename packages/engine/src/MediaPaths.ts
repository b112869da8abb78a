/**
 * Which network path this engine's media connections take, and through which servers. Every connection gets
 * the server's STUN URLs and, when the server offers TURN, the session's newest TURN credentials (from the login
 * and resume replies and the `turnCredentials` renewals). Connections start on every path (`all`: the direct
 * one wins when it works). When one fails to connect on it and TURN is offered, the session switches to relay
 * only, and every later connection starts there — the network evidently lets no media through directly. A
 * TURN server that refuses the credentials (wrong shared secret) is logged as a warning once, and those
 * credentials are not offered again: the direct path goes on working without them. The app is told nothing new:
 * its publisher and player states are the usual ones of a retried connection.
 */
import type { TurnServers } from '@parley/protocol';
import type { EngineLogger } from './Logger.js';
import type { IceServer, IceServerError, IceTransportPolicy } from './MediaBackend.js';

/** What a new media connection is given. */
export interface MediaContext {
  iceServers: IceServer[];
  iceTransportPolicy: IceTransportPolicy;
  serverUrl: string;
}

/** Where TURN credentials came from: a login starts a session (they replace any), the others renew them. */
export type TurnSource = 'login' | 'resume' | 'renewal';

/** The STUN error code of a TURN server that refused the credentials. */
const UNAUTHORIZED = 401;

export class MediaPaths {
  private turn: TurnServers | null = null;
  private relayOnly = false;
  /** The username of credentials a TURN server refused; they are not offered again. */
  private refused: string | null = null;
  /** Usernames whose TURN server errors were already logged, so that each is logged once. */
  private readonly reported = new Set<string>();

  /** The username of credentials whose TURN server did not answer: relay only is left if it fails then. */
  private unanswered: string | null = null;

  constructor(private readonly log: EngineLogger) {}

  /** True while new connections go through TURN only. */
  get relaying(): boolean {
    return this.relayOnly && this.usableTurn() !== null;
  }

  /** Takes TURN credentials from the server; malformed ones are ignored with a warning. */
  offer(value: unknown, source: TurnSource): void {
    if (value === undefined) return;
    const turn = checkTurn(value);
    if (!turn) {
      this.log.warn('ignoring malformed TURN servers from the server', { source });
      return;
    }
    // A resume reply or a replayed renewal may carry older credentials than the newest one already here.
    if (source !== 'login' && this.turn && turn.expiresAt < this.turn.expiresAt) return;
    this.turn = turn;
  }

  /** The ICE servers and transport policy of a new connection. */
  context(stunUrls: readonly string[], serverUrl: string): MediaContext {
    const iceServers: IceServer[] = [];
    const stun = stunUrls.filter((u) => typeof u === 'string' && /^stuns?:/i.test(u));
    if (stun.length > 0) iceServers.push({ urls: stun });
    const turn = this.usableTurn();
    if (turn) iceServers.push({ urls: [...turn.urls], username: turn.username, credential: turn.credential });
    return { iceServers, iceTransportPolicy: turn && this.relayOnly ? 'relay' : 'all', serverUrl };
  }

  /**
   * A connection made with `context` did not connect (ICE failed or the connect timeout passed). On the direct
   * path with TURN offered, the session goes to relay only: the retry, and every later connection, start there.
   */
  connectFailed(context: MediaContext, streamID: string): void {
    if (context.iceTransportPolicy === 'relay') {
      // Relay only cannot work through a TURN server that does not answer: every path is worth a try again.
      const username = context.iceServers.find((s) => s.username !== undefined)?.username;
      if (!this.relayOnly || username === undefined || username !== this.unanswered) return;
      this.relayOnly = false;
      this.log.info('the TURN server did not answer; media tries every path again', { streamID });
      return;
    }
    if (this.relayOnly) return;
    if (!context.iceServers.some((s) => s.username !== undefined) || this.usableTurn() === null) return;
    this.relayOnly = true;
    this.log.info('the direct media path failed; media goes through TURN (relay only) from now on', {
      streamID,
    });
  }

  /** A connection's TURN server refused it or did not answer. */
  iceServerError(context: MediaContext, error: IceServerError): void {
    // The connection's one TURN entry (a browser may write the URL its own way, e.g. with `?transport=udp`).
    const username = context.iceServers.find((s) => s.username !== undefined)?.username;
    if (username === undefined || !/^turns?:/i.test(error.url)) return;
    if (error.code === UNAUTHORIZED) {
      if (this.turn?.username === username) this.refused = username;
      if (this.reported.has(username)) return;
      this.reported.add(username);
      const info =
        `the TURN server ${error.url} refused the credentials (${error.code} ${error.text}): its ` +
        "static-auth-secret is not the server's turn.secret; media uses the direct path only";
      this.log.warn(info, { url: error.url });
      return;
    }
    if (this.turn?.username === username) this.unanswered = username;
    if (this.reported.has(`${username} ${error.url}`)) return;
    this.reported.add(`${username} ${error.url}`);
    this.log.warn('a TURN server did not answer', { url: error.url, code: error.code, text: error.text });
  }

  /** The engine left its last room: the next session starts on every path with the credentials it is given. */
  reset(): void {
    this.turn = null;
    this.relayOnly = false;
    this.refused = null;
    this.unanswered = null;
    this.reported.clear();
  }

  private usableTurn(): TurnServers | null {
    const turn = this.turn;
    return turn && turn.username !== this.refused ? turn : null;
  }
}

/** `value` as TurnServers if it has their shape (the server is trusted, but a peer connection must not throw). */
function checkTurn(value: unknown): TurnServers | null {
  if (typeof value !== 'object' || value === null) return null;
  const { urls, username, credential, expiresAt } = value as Record<string, unknown>;
  if (!Array.isArray(urls) || urls.length === 0) return null;
  if (!urls.every((u) => typeof u === 'string' && /^turns?:/i.test(u))) return null;
  if (typeof username !== 'string' || typeof credential !== 'string') return null;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null;
  return { urls: [...urls] as string[], username, credential, expiresAt };
}
