/**
 * What the server API does to rooms, on whichever node answers the call: it finds users through the shared state
 * (which sees every node), kicks a session here or asks its node to, and sends messages to a room's members on
 * every node (each node delivers them to its own members from the room's events, see RoomReplicas).
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, StreamDeleteReason, type WireUser } from '@parley/protocol';
import type { RoomCallbacks } from '../callbacks/RoomCallbacks.js';
import {
  type MemberEntry,
  SERVER_NODE_ID,
  type SharedState,
  type StreamEntry,
  serverStreamSession,
} from '../cluster/SharedState.js';
import type { AppSpace } from './AppSpace.js';
import type { NodeSender } from './NodeMessages.js';

export interface RoomAdminParts {
  spaces: ReadonlyMap<number, AppSpace>;
  state: SharedState;
  sender: NodeSender;
  /** Kicks a local session; false if it is not here (any more). */
  kickLocal(appID: number, sessionID: string, code: number, customReason?: string): boolean;
  /** Stops a forbidden stream if it is published on this node, and this node's plays of it. */
  stopForbidden(appID: number, streamID: string): void;
  /** The server callbacks (stream_create / stream_close of the streams the API adds and deletes), if any. */
  callbacks?: RoomCallbacks | null;
  now: () => number;
}

/** What {@link RoomAdmin.addStream} did: added, refused for an empty room, or refused for the stream holding it. */
export type AddStreamResult = { kind: 'added' } | { kind: 'noRoom' } | { kind: 'taken'; holder: StreamEntry };

/** What {@link RoomAdmin.deleteStream} did. */
export type DeleteStreamResult = 'deleted' | 'notFound' | 'notServers';

export class RoomAdmin {
  constructor(private readonly o: RoomAdminParts) {}

  get state(): SharedState {
    return this.o.state;
  }

  /** The room's members on every node, in no particular order. */
  async members(appID: number, roomID: string): Promise<MemberEntry[]> {
    return (await this.o.state.roomSnapshot(appID, roomID)).members;
  }

  /**
   * Kicks `userID` out of `roomID` (code 1002055, `reason` in its kickout event) on whichever node holds it.
   * False if the user is not in the room.
   */
  async kickUser(appID: number, roomID: string, userID: string, reason: string): Promise<boolean> {
    const member = (await this.members(appID, roomID)).find((m) => m.userID === userID);
    if (!member) return false;
    await this.kickMember(appID, member, reason);
    return true;
  }

  /** Kicks every member of the room (code 1002055); their sessions end, and their streams with them. */
  async closeRoom(appID: number, roomID: string, reason: string): Promise<number> {
    const members = await this.members(appID, roomID);
    await Promise.all(members.map((m) => this.kickMember(appID, m, reason)));
    return members.length;
  }

  /** Sends a broadcast message to every member of the room, on every node; resolves to its messageID. */
  async broadcast(appID: number, roomID: string, fromUser: WireUser, message: string): Promise<number> {
    const sendTime = this.o.now();
    return this.o.state.broadcast(appID, roomID, { fromUser, message, sendTime });
  }

  /**
   * Sends a barrage message to every member of the room, on every node; resolves to its messageID (random, so
   * unique without a counter in the shared state).
   */
  async barrage(appID: number, roomID: string, fromUser: WireUser, message: string): Promise<string> {
    const sendTime = this.o.now();
    const messageID = randomBytes(8).toString('hex');
    await this.o.state.publishRoom(appID, roomID, {
      kind: 'barrage',
      fromUser,
      message,
      sendTime,
      messageID,
    });
    return messageID;
  }

  /** Sends a custom command to the listed members of the room (every member when the list is empty). */
  async customCommand(
    appID: number,
    roomID: string,
    fromUser: WireUser,
    command: string,
    toUserIDs: string[],
  ): Promise<void> {
    await this.o.state.publishRoom(appID, roomID, { kind: 'command', fromUser, command, toUserIDs });
  }

  /**
   * Forbids publishing `streamID` on every node until {@link resumeStream}: the mark goes to the shared state
   * first, so a publish that claims the streamID after the nodes were told finds it; then every live node stops
   * the stream if it is its origin (the publisher is told 1003025, the room DELETE) and its plays of it (1004025).
   */
  async forbidStream(appID: number, streamID: string): Promise<void> {
    await this.o.state.forbidStream(appID, streamID);
    const nodes = await this.o.state.liveNodes();
    // The other nodes are told first: if the stream is published here, its removal closes the pipes to them, and
    // their players should hear why (1004025) as early as they can.
    await Promise.all(
      nodes
        .filter((nodeID) => nodeID !== this.o.state.nodeID)
        .map((nodeID) => this.o.sender.send(nodeID, { kind: 'streamForbidden', appID, streamID })),
    );
    this.o.stopForbidden(appID, streamID);
    // A stream AddStream added is no node's to stop: it is removed here, as DeleteStream would.
    const entry = await this.o.state.findStream(appID, streamID);
    if (entry?.nodeID === SERVER_NODE_ID) await this.deleteStream(appID, entry.roomID, streamID);
  }

  /** Lets `streamID` be published again; resolves to whether it was forbidden. */
  resumeStream(appID: number, streamID: string): Promise<boolean> {
    return this.o.state.resumeStream(appID, streamID);
  }

  /**
   * Adds a signaling-only stream owned by the server (AddStream) to a room with members: it is announced at once
   * to every member on every node, as `fromUser`'s; players are told it carries no media here. Its owner is
   * {@link SERVER_NODE_ID}, so no node's exit, reap or restore removes it; it goes by {@link deleteStream} or
   * with its room. The claim refuses an empty room and a streamID in use atomically.
   */
  async addStream(
    appID: number,
    roomID: string,
    streamID: string,
    fromUser: WireUser,
    extraInfo: string,
  ): Promise<AddStreamResult> {
    const stream: StreamEntry = {
      streamID,
      roomID,
      userID: fromUser.userID,
      userName: fromUser.userName,
      nodeID: SERVER_NODE_ID,
      sessionID: serverStreamSession(streamID),
      extraInfo,
      media: 'none',
      announced: true,
      audio: 'MUTE',
      video: 'MUTE',
    };
    const claimed = await this.o.state.claimStream(appID, stream);
    if (!claimed.ok) return claimed.holder ? { kind: 'taken', holder: claimed.holder } : { kind: 'noRoom' };
    this.o.callbacks?.streamCreated(appID, stream);
    return { kind: 'added' };
  }

  /** Removes a stream {@link addStream} added (DELETE with reason 6, removed by the server); users' streams stay. */
  async deleteStream(appID: number, roomID: string, streamID: string): Promise<DeleteStreamResult> {
    const entry = await this.o.state.findStream(appID, streamID);
    if (!entry || entry.roomID !== roomID) return 'notFound';
    if (entry.nodeID !== SERVER_NODE_ID) return 'notServers';
    const removed = await this.o.state.removeStreams(
      appID,
      roomID,
      [streamID],
      serverStreamSession(streamID),
      StreamDeleteReason.RemovedByServer,
    );
    if (removed.length === 0) return 'notFound';
    this.o.callbacks?.streamsClosed(appID, [entry], StreamDeleteReason.RemovedByServer);
    return 'deleted';
  }

  private async kickMember(appID: number, member: MemberEntry, reason: string): Promise<void> {
    const code = ErrorCode.KICKED_BY_SERVER;
    // An empty CustomReason is no reason: the client's kickout carries none.
    const customReason = reason === '' ? undefined : reason;
    if (member.nodeID === this.o.state.nodeID) {
      this.o.kickLocal(appID, member.sessionID, code, customReason);
      return;
    }
    await this.o.sender.send(member.nodeID, {
      kind: 'kick',
      appID,
      sessionID: member.sessionID,
      code,
      ...(customReason === undefined ? {} : { customReason }),
    });
  }
}
