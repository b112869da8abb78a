/**
 * What a stream's media comes from on this node: the publisher's own transport ({@link PublisherTransport}) or,
 * when the publisher is connected to another node, a media pipe from that node (pipe/PipeIn.ts). The router
 * registers one source per stream key and its players consume the source's producers; which kind of source it
 * is matters to nobody else.
 */
import type { Producer } from './Producer.js';

/** Why the router closes a source: a newer source took its stream key, or the router closed. */
export type SourceCloseReason = 'replaced' | 'routerClosed';

/** A stream's source, as the router sees it. */
export interface StreamSource {
  readonly id: string;
  /** The stream key it is registered under. */
  readonly key: string;
  /** Its incoming tracks, audio first. */
  readonly producerList: Producer[];
  readonly closed: boolean;
  /** Emits `close` once, when it closes for whatever reason. */
  once(event: 'close', listener: () => void): unknown;
  /** Closes it (idempotent); resolves once its sockets are released. */
  close(reason: SourceCloseReason): Promise<void>;
  /**
   * Told by the router whenever the number of this node's players of the stream changes (and once when the
   * source is registered). Only sources that care implement it: a pipe-in, whose last player starts the
   * rooms layer's linger before the pipe closes.
   */
  setPlayerCount?(count: number): void;
}
