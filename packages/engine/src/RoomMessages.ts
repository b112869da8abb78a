/**
 * Room-scoped requests that report their outcome as a result instead of an exception: broadcast messages,
 * custom commands, room extra info — and token renewal, whose failures go to `debugError`.
 */
import {
  type ClientRequestType,
  checkMessage,
  checkRoomExtraInfo,
  checkRoomId,
  checkUserId,
  ErrorCode,
  type ReplyData,
} from '@parley/protocol';
import type { CallResult, CoreEvents } from './coreTypes.js';
import { guarded } from './guarded.js';
import { checkToken } from './inputChecks.js';
import type { EngineLogger } from './Logger.js';
import { codeOf } from './Publisher.js';
import type { AuthProvider, RoomSession } from './RoomSession.js';
import type { RequestFields } from './SignalClient.js';

export interface RoomMessagesHost {
  room(roomID: string): RoomSession | undefined;
  rooms(): RoomSession[];
  send<T extends ClientRequestType>(type: T, fields: RequestFields<T>): Promise<ReplyData[T]>;
  debugError(...args: CoreEvents['debugError']): void;
  log: EngineLogger;
}

/** The result of a broadcast message: the room-wide message ID on success. */
export interface BroadcastResult extends CallResult {
  messageID: number;
}

export class RoomMessages {
  constructor(private readonly host: RoomMessagesHost) {}

  /** Sends `message` to everybody else in the room. */
  async sendBroadcastMessage(roomID: string, message: string): Promise<BroadcastResult> {
    const code = this.check(roomID, checkMessage(message));
    if (code !== 0) return { errorCode: code, extendedData: '', messageID: 0 };
    try {
      const data = await this.host.send('broadcast', { roomID, message });
      return { errorCode: 0, extendedData: '', messageID: data.messageID };
    } catch (err) {
      return { errorCode: codeOf(err), extendedData: '', messageID: 0 };
    }
  }

  /** Sends `command` to the listed users of the room (everybody else when the list is empty). */
  async sendCustomCommand(
    roomID: string,
    command: string,
    toUserIDs: readonly string[],
  ): Promise<CallResult> {
    let code = checkMessage(command);
    if (code === 0 && !Array.isArray(toUserIDs)) code = ErrorCode.INPUT_PARAMETER;
    if (code === 0) code = toUserIDs.map((id) => checkUserId(id)).find((c) => c !== 0) ?? 0;
    code = this.check(roomID, code);
    if (code !== 0) return { errorCode: code, extendedData: '' };
    return this.result(this.host.send('customCommand', { roomID, command, toUserIDs: [...toUserIDs] }));
  }

  /** Sets one key of the room's extra info; the others get `roomExtraInfoUpdate`. */
  async setRoomExtraInfo(roomID: string, key: string, value: string): Promise<CallResult> {
    const code = this.check(roomID, checkRoomExtraInfo(key, value));
    if (code !== 0) return { errorCode: code, extendedData: '' };
    return this.result(this.host.send('setRoomExtraInfo', { roomID, key, value }));
  }

  /**
   * Renews the token of `roomID`, or of every room when omitted. Returns 0 if sent, else the code of the
   * failed local check. A refusal by the server is reported through `debugError`.
   *
   * The new token also becomes the room's login credentials, should the room have to log in again after the
   * server lost the session — at once, since the renewal may be sent only after such a login; a refusal by the
   * server gives the room its previous credentials back.
   */
  renewToken(token: string, roomID?: string): number {
    const tokenCode = checkToken(token);
    if (tokenCode !== 0) return tokenCode;
    let rooms: RoomSession[];
    if (roomID === undefined) {
      rooms = this.host.rooms();
    } else {
      const roomCode = checkRoomId(roomID);
      if (roomCode !== 0) return roomCode;
      const room = this.host.room(roomID);
      rooms = room ? [room] : [];
    }
    rooms = rooms.filter((r) => r.phase !== 'logining');
    if (rooms.length === 0) return roomID === undefined ? ErrorCode.NOT_LOGGED_IN : ErrorCode.NOT_IN_ROOM;
    for (const room of rooms) {
      const previous = room.auth;
      const renewed: AuthProvider = () => ({ kind: 'token', token });
      room.auth = renewed;
      // The outcome arrives after this call returned: what handling it throws is logged, not left unhandled.
      guarded(this.host.log, `the token renewal of ${room.roomID}`, () =>
        this.host.send('renewToken', { roomID: room.roomID, token }).then(
          (data) => {
            room.tokenExpire = data.tokenExpire;
          },
          (err: unknown) => {
            const code = codeOf(err);
            // Only the server's verdict on the token counts; a renewal lost with the socket stays the newest.
            if (code !== ErrorCode.NETWORK_TIMEOUT && room.auth === renewed) room.auth = previous;
            this.host.debugError(code, 'renewToken', String(err));
          },
        ),
      )();
    }
    return 0;
  }

  /** Adds the room checks to the check of the payload: 0 only if the room is valid and logged in. */
  private check(roomID: string, payloadCode: number): number {
    const roomCode = checkRoomId(roomID);
    if (roomCode !== 0) return roomCode;
    if (payloadCode !== 0) return payloadCode;
    const room = this.host.room(roomID);
    return room && room.phase !== 'logining' ? 0 : ErrorCode.NOT_IN_ROOM;
  }

  private async result(request: Promise<unknown>): Promise<CallResult> {
    try {
      await request;
      return { errorCode: 0, extendedData: '' };
    } catch (err) {
      return { errorCode: codeOf(err), extendedData: '' };
    }
  }
}
