/**
 * What each request of a logged-in session does, as a table with one typed handler per request type: a handler
 * gets the request as its schema validated it and returns exactly the reply data the protocol declares for it
 * (`ReplyData[T]`), so a renamed field or a missing reply fails the build. Login and resume, which have no
 * session yet, are the signaling server's own.
 */
import type { ClientRequestType, ReplyData, RequestOf } from '@parley/protocol';
import * as messaging from '../rooms/RoomMessaging.js';
import type { RoomService } from '../rooms/RoomService.js';
import type { Session } from '../rooms/Session.js';

/** The requests that need a session. */
export type SessionRequestType = Exclude<ClientRequestType, 'login' | 'resume'>;

export interface RequestContext {
  rooms: RoomService;
  session: Session;
  /** Called when the request ended the session (the last room was left). */
  sessionEnded(): void;
}

type Handler<T extends SessionRequestType> = (
  ctx: RequestContext,
  req: RequestOf<T>,
) => ReplyData[T] | Promise<ReplyData[T]>;

type HandlerTable = { [T in SessionRequestType]: Handler<T> };

const handlers: HandlerTable = {
  publish: ({ rooms, session }, req) => rooms.publish(session, req),
  play: ({ rooms, session }, req) => rooms.play(session, req.streamID),
  playAnswer: async ({ rooms, session }, req) => {
    await rooms.playAnswer(session, req.streamID, req.sdp);
    return {};
  },
  logout: ({ rooms, session, sessionEnded }, req) => {
    rooms.logout(session, req.roomID);
    if (session.isClosed) sessionEnded();
    return {};
  },
  renewToken: ({ rooms, session }, req) => rooms.renewToken(session, req.roomID, req.token),
  stopPlay: ({ rooms, session }, req) => {
    rooms.stopPlay(session, req.streamID);
    return {};
  },
  streamMediaState: ({ rooms, session }, req) => {
    rooms.setStreamMediaState(session, req.streamID, req.audio, req.video);
    return {};
  },
  unpublish: ({ rooms, session }, req) => {
    rooms.unpublish(session, req.streamID);
    return {};
  },
  setStreamExtraInfo: async ({ rooms, session }, req) => {
    await rooms.setStreamExtraInfo(session, req.streamID, req.extraInfo);
    return {};
  },
  broadcast: ({ rooms, session }, req) =>
    rooms.inCluster(
      messaging.broadcast(rooms.state, rooms.membership(session, req.roomID), req.message, Date.now()),
    ),
  customCommand: async ({ rooms, session }, req) => {
    await rooms.inCluster(
      messaging.customCommand(rooms.state, rooms.membership(session, req.roomID), req.command, req.toUserIDs),
    );
    return {};
  },
  setRoomExtraInfo: async ({ rooms, session }, req) => {
    await rooms.inCluster(
      messaging.setRoomExtraInfo(
        rooms.state,
        rooms.membership(session, req.roomID),
        req.key,
        req.value,
        Date.now(),
      ),
    );
    return {};
  },
};

/**
 * Runs the handler of `req.t`; its result (or rejection) is the request's reply.
 * @example
 * const data = await handleSessionRequest(ctx, frame); // frame: a validated publish request → ReplyData['publish']
 */
export function handleSessionRequest<T extends SessionRequestType>(
  ctx: RequestContext,
  req: RequestOf<T> & { t: T },
): ReplyData[T] | Promise<ReplyData[T]> {
  const handler: Handler<T> = handlers[req.t];
  return handler(ctx, req);
}
