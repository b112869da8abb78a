/**
 * What a node hears from Redis: the channels of the rooms it watches and its own channel, on the subscriber
 * connection. Each message is checked before it is delivered (a malformed one is logged and dropped); after a
 * reconnection, {@link Subscriptions.resubscribe} subscribes again to every channel still wanted.
 */
import type { Logger } from '../../log.js';
import type { NodeMessage, RoomEvent } from '../SharedState.js';
import type { RedisKeys } from './keys.js';
import type { RedisLink } from './RedisLink.js';
import { nodeMessage, parseWire, roomEvent } from './wire.js';

/** Where the messages go. */
export interface SubscriptionSink {
  roomEvent(appID: number, roomID: string, event: RoomEvent): void;
  nodeMessage(message: NodeMessage): void;
}

export class Subscriptions {
  private readonly nodeChannel: string;
  /** The rooms watched, by channel. */
  private readonly watched = new Map<string, { appID: number; roomID: string }>();
  private delivering = true;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    nodeID: string,
    private readonly sink: SubscriptionSink,
    private readonly log: Logger,
  ) {
    this.nodeChannel = keys.nodeChannel(nodeID);
    link.on('message', (channel, text) => this.onMessage(channel, text));
  }

  /** Subscribes to this node's channel and every watched room's (again, after a reconnection). */
  async resubscribe(): Promise<void> {
    await this.link.subscribe([this.nodeChannel, ...this.watched.keys()]);
  }

  /** Resolves once the room's channel is subscribed: no later event of the room can be missed. */
  async watch(appID: number, roomID: string): Promise<void> {
    const channel = this.keys.roomChannel(appID, roomID);
    const room = { appID, roomID };
    this.watched.set(channel, room);
    try {
      await this.link.subscribe([channel]);
    } catch (error) {
      // Unless an unwatch or another watch came meanwhile, the room is not watched.
      if (this.watched.get(channel) === room) this.watched.delete(channel);
      throw error;
    }
  }

  /** Stops delivering the room's events at once, and unsubscribes. */
  async unwatch(appID: number, roomID: string): Promise<void> {
    const channel = this.keys.roomChannel(appID, roomID);
    if (!this.watched.delete(channel)) return;
    try {
      await this.link.unsubscribe([channel]);
    } catch (error) {
      // Its events are dropped from now on, and a new connection subscribes only to watched rooms.
      this.log.debug('unsubscribe failed', { channel, error: String(error) });
    }
  }

  /** Delivers nothing more (the node is closing or crashed). */
  stop(): void {
    this.delivering = false;
  }

  private onMessage(channel: string, text: string): void {
    if (!this.delivering) return;
    if (channel === this.nodeChannel) {
      const parsed = parseWire(nodeMessage, text);
      if ('value' in parsed) this.sink.nodeMessage(parsed.value);
      else this.log.warn('dropped a malformed node message', { error: parsed.error });
      return;
    }
    const room = this.watched.get(channel);
    if (!room) return;
    const parsed = parseWire(roomEvent, text);
    if ('value' in parsed) this.sink.roomEvent(room.appID, room.roomID, parsed.value);
    else this.log.warn('dropped a malformed room event', { ...room, error: parsed.error });
  }
}
