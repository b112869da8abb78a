/**
 * Keeps this node's replica of each room (its members and streams on other nodes) up to date from the room
 * events of the cluster's shared state, and tells the local members what changed.
 *
 * Entries owned by this node are never taken from events: this node changed them itself and told its members
 * at once. So an event is applied by what it concerns — a member or stream of another node — not by who sent
 * it; messages (broadcasts, commands, extra info) are applied when another node sent them.
 */
import {
  ErrorCode,
  type ServerEvent,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
  type WireRoomExtraInfo,
} from '@parley/protocol';
import type { MemberEntry, RoomEvent, RoomSnapshot, StreamEntry } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { AppSpace } from './AppSpace.js';
import { type Room, wireOfEntry } from './Room.js';

export interface ReplicaHooks {
  /** Ends a local session replaced by a login of the same userID on another node. */
  kickLocal(appID: number, sessionID: string, code: number): void;
}

export class RoomReplicas {
  /** Events of rooms being joined before their replica exists, by `appID/roomID`. */
  private readonly pending = new Map<string, { joins: number; events: RoomEvent[] }>();

  constructor(
    private readonly nodeID: string,
    private readonly hooks: ReplicaHooks,
    private readonly log: Logger,
  ) {}

  /** Call before asking the shared state to join a room: its events are kept until {@link adopt}. */
  beginJoin(appID: number, roomID: string): void {
    const k = `${appID}/${roomID}`;
    const p = this.pending.get(k) ?? { joins: 0, events: [] };
    p.joins += 1;
    this.pending.set(k, p);
  }

  /** The join ended (succeeded or not); with a snapshot, the room's replica is made from it if it is new. */
  endJoin(space: AppSpace, roomID: string, snapshot: RoomSnapshot | null): Room | null {
    const k = `${space.app.appID}/${roomID}`;
    const p = this.pending.get(k);
    if (p) {
      p.joins -= 1;
      if (p.joins === 0) this.pending.delete(k);
    }
    if (!snapshot) return space.rooms.get(roomID) ?? null;
    let room = space.rooms.get(roomID);
    if (!room) {
      room = space.roomFor(roomID);
      room.seq = snapshot.seq;
      for (const m of snapshot.members) if (m.nodeID !== this.nodeID) room.remoteMembers.set(m.userID, m);
      for (const s of snapshot.streams) {
        if (s.nodeID !== this.nodeID && s.announced) room.remoteStreams.set(s.streamID, s);
      }
      for (const info of snapshot.extraInfo) room.extraInfo.set(info.key, info);
      for (const ev of p?.events ?? []) this.applyTo(space, room, ev);
      if (p) p.events = [];
    }
    return room;
  }

  /** Applies a room event of the shared state. */
  apply(space: AppSpace, roomID: string, event: RoomEvent): void {
    const room = space.rooms.get(roomID);
    if (!room) {
      this.pending.get(`${space.app.appID}/${roomID}`)?.events.push(event);
      return;
    }
    this.applyTo(space, room, event);
  }

  /**
   * Brings a replica in line with a snapshot taken after the store was unreachable (events may have been lost).
   * Entries missing from the snapshot are removed only when their node is alive (so it has restored its own
   * entries and their absence is real) or when `final` (the nodes that are still not alive are dead).
   */
  resync(room: Room, snapshot: RoomSnapshot, liveNodes: ReadonlySet<string>, final: boolean): void {
    const roomID = room.roomID;
    const members = new Map(
      snapshot.members.filter((m) => m.nodeID !== this.nodeID).map((m) => [m.userID, m]),
    );
    const gone = (nodeID: string): boolean => final || liveNodes.has(nodeID);
    for (const [userID, m] of [...room.remoteMembers]) {
      if (members.get(userID)?.sessionID === m.sessionID || !gone(m.nodeID)) continue;
      room.remoteMembers.delete(userID);
      this.pushUsers(room, 'DELETE', [m]);
    }
    for (const m of members.values()) this.addMember(room, m);
    const streams = new Map(
      snapshot.streams.filter((s) => s.nodeID !== this.nodeID && s.announced).map((s) => [s.streamID, s]),
    );
    const removed = [...room.remoteStreams.values()].filter(
      (s) => streams.get(s.streamID)?.sessionID !== s.sessionID && gone(s.nodeID),
    );
    this.deleteStreams(room, removed, StreamDeleteReason.HeartbeatTimeout);
    this.addStreams(room, [...streams.values()]);
    for (const info of snapshot.extraInfo) {
      const known = room.extraInfo.get(info.key);
      if (known && known.value === info.value && known.updateTime === info.updateTime) continue;
      room.extraInfo.set(info.key, info);
      room.pushToOthers(null, { type: 'roomExtraInfoUpdate', roomID, infos: [info] });
    }
    room.seq = Math.max(room.seq, snapshot.seq);
  }

  private applyTo(space: AppSpace, room: Room, ev: RoomEvent): void {
    if (ev.seq <= room.seq) return;
    room.seq = ev.seq;
    const fromElsewhere = ev.origin !== this.nodeID;
    switch (ev.kind) {
      case 'join':
        if (ev.member.nodeID === this.nodeID) return;
        if (ev.replaced?.nodeID === this.nodeID) {
          this.hooks.kickLocal(space.app.appID, ev.replaced.sessionID, ErrorCode.KICKED_REPEAT_LOGIN);
        }
        this.addMember(room, ev.member);
        return;
      case 'leave': {
        const known = room.remoteMembers.get(ev.member.userID);
        if (ev.member.nodeID === this.nodeID || known?.sessionID !== ev.member.sessionID) return;
        room.remoteMembers.delete(ev.member.userID);
        this.pushUsers(room, 'DELETE', [known]);
        return;
      }
      case 'streamAdd':
        this.addStreams(room, ev.streams);
        return;
      case 'streamUpdate': {
        const changed = ev.streams.filter((s) => {
          const known = room.remoteStreams.get(s.streamID);
          if (s.nodeID === this.nodeID || known?.sessionID !== s.sessionID) return false;
          room.remoteStreams.set(s.streamID, s);
          return true;
        });
        if (changed.length === 0) return;
        room.pushToOthers(null, {
          type: 'streamExtraInfoUpdate',
          roomID: room.roomID,
          streams: changed.map(wireOfEntry),
        });
        return;
      }
      case 'streamDelete':
        this.deleteStreams(
          room,
          ev.streams.filter((s) => room.remoteStreams.get(s.streamID)?.sessionID === s.sessionID),
          ev.reason,
        );
        return;
      case 'extraInfo':
        if (fromElsewhere) this.setExtraInfo(room, ev.info);
        return;
      case 'broadcast':
        this.deliver(room, ev.fromUser.userID, null, {
          type: 'broadcast',
          roomID: room.roomID,
          messages: [
            { fromUser: ev.fromUser, message: ev.message, sendTime: ev.sendTime, messageID: ev.messageID },
          ],
        });
        return;
      case 'barrage':
        this.deliver(room, ev.fromUser.userID, null, {
          type: 'barrage',
          roomID: room.roomID,
          messages: [
            { fromUser: ev.fromUser, message: ev.message, sendTime: ev.sendTime, messageID: ev.messageID },
          ],
        });
        return;
      case 'command':
        this.deliver(room, ev.fromUser.userID, ev.toUserIDs, {
          type: 'customCommand',
          roomID: room.roomID,
          fromUser: ev.fromUser,
          command: ev.command,
        });
        return;
      default:
        this.log.warn('unknown room event', { kind: (ev as { kind: unknown }).kind });
    }
  }

  /**
   * Delivers a message event to this node's members of the room: every member but its sender, or only those of
   * `toUserIDs` when it lists any. Messages take this one path on every node, the sender's included, whether a
   * member or the server API sent them, so each member gets a room's messages in the room's order.
   */
  private deliver(room: Room, senderID: string, toUserIDs: string[] | null, ev: ServerEvent): void {
    const to = toUserIDs === null || toUserIDs.length === 0 ? null : new Set(toUserIDs);
    room.pushToOthers(
      null,
      ev,
      (m) => m.session.user.userID !== senderID && (!to || to.has(m.session.user.userID)),
    );
  }

  private addMember(room: Room, m: MemberEntry): void {
    if (m.nodeID === this.nodeID) return;
    const known = room.remoteMembers.get(m.userID);
    if (known?.sessionID === m.sessionID) return;
    // The same user logged in again elsewhere: the others see it leave and come back, as on one node.
    if (known) this.pushUsers(room, 'DELETE', [known]);
    room.remoteMembers.set(m.userID, m);
    this.pushUsers(room, 'ADD', [m]);
  }

  private addStreams(room: Room, streams: StreamEntry[]): void {
    const added = streams.filter((s) => {
      if (s.nodeID === this.nodeID) return false;
      const known = room.remoteStreams.get(s.streamID);
      if (known?.sessionID === s.sessionID) return false;
      if (known) this.deleteStreams(room, [known], StreamDeleteReason.RepeatLogin);
      room.remoteStreams.set(s.streamID, s);
      return true;
    });
    if (added.length === 0) return;
    room.pushToOthers(null, {
      type: 'streamUpdate',
      roomID: room.roomID,
      updateType: 'ADD',
      streams: added.map(wireOfEntry),
    });
  }

  private deleteStreams(room: Room, streams: StreamEntry[], reason: StreamDeleteReasonCode): void {
    const gone = streams.filter((s) => s.nodeID !== this.nodeID && room.remoteStreams.delete(s.streamID));
    if (gone.length === 0) return;
    room.pushToOthers(null, {
      type: 'streamUpdate',
      roomID: room.roomID,
      updateType: 'DELETE',
      streams: gone.map(wireOfEntry),
      reasons: gone.map((s) => ({ stream_id: s.streamID, code: reason })),
    });
  }

  private setExtraInfo(room: Room, info: WireRoomExtraInfo): void {
    room.extraInfo.set(info.key, info);
    room.pushToOthers(null, { type: 'roomExtraInfoUpdate', roomID: room.roomID, infos: [info] });
  }

  private pushUsers(room: Room, updateType: 'ADD' | 'DELETE', members: MemberEntry[]): void {
    room.pushToOthers(
      null,
      {
        type: 'userUpdate',
        roomID: room.roomID,
        updateType,
        users: members.map((m) => ({ userID: m.userID, userName: m.userName })),
      },
      (o) => o.userUpdate,
    );
  }
}
