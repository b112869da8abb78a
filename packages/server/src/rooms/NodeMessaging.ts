/**
 * This node's rooms layer talking to the other nodes: requests with replies (a media pipe from a stream's
 * origin, over {@link NodeRpc}) and the plain messages of NodeMessages.ts — sent typed, and received, validated
 * and handed to the part of the rooms layer they concern.
 */
import { ErrorCode, type MediaTrackState } from '@parley/protocol';
import { NodeRpc } from '../cluster/NodeRpc.js';
import type { SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import { type NodeMessageBody, type NodeSender, parseNodeMessage } from './NodeMessages.js';

/** What the messages and requests of other nodes do here. */
export interface NodeMessageHandlers {
  /** Answers another node's request (for a media pipe); a thrown error with a numeric `code` is sent back. */
  request(from: string, body: unknown): Promise<unknown>;
  /** Ends the local session `sessionID` of `appID`, replaced by a login of the same userID on another node. */
  kick(appID: number, sessionID: string, code: number, customReason?: string): void;
  /** The publisher of a stream piped here muted or unmuted a track: its players here are told. */
  streamMediaState(appID: number, streamID: string, audio: MediaTrackState, video: MediaTrackState): void;
  /** The stream was forbidden: stopped here if published here, and its players here stopped. */
  streamForbidden(appID: number, streamID: string): void;
}

export class NodeMessaging implements NodeSender {
  /** Requests to other nodes, with replies and a deadline (what StreamPipes asks an origin through). */
  readonly rpc: NodeRpc;

  constructor(
    private readonly state: SharedState,
    private readonly handlers: NodeMessageHandlers,
    private readonly log: Logger,
  ) {
    this.rpc = new NodeRpc({
      state,
      handle: (from, body) => this.handlers.request(from, body),
      onMessage: (from, body) => this.receive(from, body),
      timeoutCode: ErrorCode.PLAY_NEGOTIATION_FAILED,
    });
  }

  send(nodeID: string, message: NodeMessageBody): Promise<void> {
    return this.state.sendToNode(nodeID, message);
  }

  /** Fails the requests still waiting for a reply, and stops listening. */
  close(): void {
    this.rpc.close();
  }

  /** A message from another node of the cluster. */
  private receive(from: string, body: unknown): void {
    const message = parseNodeMessage(body);
    if (!message) {
      this.log.warn('unreadable node message', { from });
      return;
    }
    switch (message.kind) {
      case 'kick':
        this.handlers.kick(message.appID, message.sessionID, message.code, message.customReason);
        return;
      case 'streamMediaState':
        this.handlers.streamMediaState(message.appID, message.streamID, message.audio, message.video);
        return;
      case 'streamForbidden':
        this.handlers.streamForbidden(message.appID, message.streamID);
        return;
    }
  }
}
