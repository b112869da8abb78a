/**
 * Logging in again after the server lost the session — it restarted, or the socket stayed away past the grace
 * period, so the resume was refused with 1002053. Runs inside a reconnection attempt, on that attempt's socket:
 * every room the server did not keep is logged in again with its own credentials (the newest token), its
 * streams start over on new media connections, and its held events restart with the new login's welcome.
 *
 * A refusal that another try cannot change (token expired or invalid, wrong AppSign, room full…) ends that room
 * at once; a failure that may pass (timeout, socket lost, server draining) fails the attempt, and the
 * {@link ReconnectPolicy} decides when to try again.
 */
import { ErrorCode } from '@parley/protocol';
import type { EngineLogger } from './Logger.js';
import { codeOf } from './Publisher.js';
import type { RoomSession } from './RoomSession.js';
import type { SignalClient } from './SignalClient.js';

export interface RestoreHost {
  readonly appID: number;
  readonly log: EngineLogger;
  /** The rooms waiting for the reconnection, in login order. */
  reconnectingRooms(): RoomSession[];
  /** False once the app left the room (or the engine ended it). */
  isCurrent(room: RoomSession): boolean;
  /** The server no longer has the room: its streams must be published and played again. */
  mediaLost(room: RoomSession): void;
  /** Logging in again was refused for good with `code`: the room ends. */
  refused(room: RoomSession, code: number): void;
}

/** Failures after which a later attempt may log in: the attempt fails and is retried. */
const PASSING = new Set<number>([
  ErrorCode.NETWORK_TIMEOUT,
  ErrorCode.LOGIN_TIMEOUT,
  ErrorCode.SERVER_DRAINING,
  ErrorCode.MESSAGE_TOO_FREQUENT,
  // The server limits logins per client address; after a restart a whole office behind one NAT logs in at once.
  ErrorCode.LOGIN_TOO_FREQUENT,
  // The cluster's Redis is down or restarting: logins work again once it is back.
  ErrorCode.CLUSTER_UNAVAILABLE,
]);

/**
 * Logs in again, on `client`, to every reconnecting room not in `keptRoomIDs`, one after the other; resolves
 * once the new logins' welcome events have arrived (they are held by the rooms). A room that was logged in
 * again by an earlier attempt and kept by this one's resume is left as it is.
 * @throws the first passing failure (the attempt is retried).
 */
export async function restoreRooms(
  host: RestoreHost,
  client: SignalClient,
  keptRoomIDs: readonly string[],
): Promise<void> {
  const kept = new Set(keptRoomIDs);
  let loggedIn = false;
  for (const room of host.reconnectingRooms()) {
    if (kept.has(room.roomID) || !host.isCurrent(room)) continue;
    // Kicked out while away: the room ends as KICKOUT when the reconnection completes.
    if (room.heldKickout() !== null) continue;
    host.mediaLost(room);
    room.beginRelogin();
    try {
      const data = await client.request('login', {
        appID: host.appID,
        roomID: room.roomID,
        user: room.user,
        auth: room.auth(client.hello!),
        config: room.config,
      });
      // Left meanwhile: the logout the app asked for goes out once the reconnection completes.
      if (!host.isCurrent(room)) continue;
      room.tokenExpire = data.tokenExpire;
      room.relogged = true;
      loggedIn = true;
      host.log.info('logged in again', { roomID: room.roomID });
    } catch (err) {
      if (!host.isCurrent(room)) continue;
      const code = codeOf(err);
      if (PASSING.has(code)) throw err;
      host.log.warn('logging in again was refused', { roomID: room.roomID, code });
      host.refused(room, code);
    }
  }
  // A login's welcome (the room's users, streams, extra info) follows its reply: the rooms' new view is
  // complete only once it is in.
  if (loggedIn) await client.sync();
}
