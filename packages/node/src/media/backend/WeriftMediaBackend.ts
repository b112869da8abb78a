/**
 * The media backend of the Node SDK: werift peer connections to the SFU, fed by {@link NodeLocalStream}s and
 * delivering to {@link FrameSink}s.
 */
import { isIP } from 'node:net';
import {
  consoleLogger,
  type EngineLogger,
  type MediaBackend,
  type PlayConnection,
  type PlayMediaInfo,
  type PublishConnection,
  type PublishMediaInfo,
} from '@parley/engine';
import { ErrorCode } from '@parley/protocol';
import type { ClientIceOptions } from './clientPeerConfig.js';
import { FrameSink } from './FrameSink.js';
import { NodeLocalStream } from './NodeLocalStream.js';
import type { ReceivedTrackOptions } from './ReceivedTrack.js';
import { TurnChecks } from './turnProbe.js';
import { WeriftPlayConnection } from './WeriftPlayConnection.js';
import { WeriftPublishConnection } from './WeriftPublishConnection.js';

/** Options of a {@link WeriftMediaBackend}. */
export interface WeriftMediaBackendOptions {
  /**
   * Host candidate addresses to announce (overrides the default: 127.0.0.1 when the server URL's host is a
   * loopback address, else werift's interface scan).
   */
  hostAddresses?: string[] | undefined;
  /**
   * TLS options for the server's `turns:` TURN servers, e.g. `{ ca: readFileSync('ca.pem') }` when their
   * certificate is of a private CA. Default Node's own checks.
   */
  turnTls?: ClientIceOptions['turnTls'];
  /** A connection `disconnected` this long is reported failed; default 5000 ms. */
  disconnectedTimeoutMs?: number | undefined;
  /** Tuning of the receive side (reorder wait, PLI interval). */
  receive?: ReceivedTrackOptions | undefined;
  /**
   * Where the connections and sinks log what went wrong in their timers and event handlers (which never throw
   * into the app); default the console. The engines pass their own logger.
   */
  logger?: EngineLogger | undefined;
}

/**
 * @example
 * const media = new WeriftMediaBackend();
 * const zg = new ZegoExpressEngine(appID, 'ws://127.0.0.1:8080/ws', { media });
 * zg.startPublishingStream('s1', createNodeLocalStream());
 */
export class WeriftMediaBackend implements MediaBackend<NodeLocalStream, FrameSink> {
  private readonly ice: ClientIceOptions;
  private readonly turnChecks: TurnChecks;
  private readonly disconnectedTimeoutMs: number;
  private readonly receive: ReceivedTrackOptions | undefined;
  private readonly log: EngineLogger;
  private readonly connections = new Set<PublishConnection | PlayConnection>();
  private readonly outputs = new Set<FrameSink>();
  private _closed = false;

  constructor(options: WeriftMediaBackendOptions = {}) {
    const hosts = options.hostAddresses;
    if (
      hosts !== undefined &&
      (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every((a) => isIP(a)))
    ) {
      throw new TypeError('hostAddresses must be a non-empty list of IP addresses');
    }
    this.ice = { hostAddresses: hosts, turnTls: options.turnTls };
    this.turnChecks = new TurnChecks(options.turnTls);
    this.disconnectedTimeoutMs = options.disconnectedTimeoutMs ?? 5000;
    if (!(this.disconnectedTimeoutMs > 0)) throw new TypeError('disconnectedTimeoutMs must be positive');
    this.receive = options.receive;
    this.log = options.logger ?? consoleLogger;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Live connections (publish and play). */
  get connectionCount(): number {
    return this.connections.size;
  }

  checkSource(source: NodeLocalStream | undefined): number {
    if (!(source instanceof NodeLocalStream) || source.closed) return ErrorCode.INPUT_PARAMETER;
    return source.tracks.some((t) => !t.closed) ? 0 : ErrorCode.INPUT_PARAMETER;
  }

  trackStates(source: NodeLocalStream | undefined): { audio: boolean; video: boolean } {
    const open = (kind: 'audio' | 'video'): boolean => {
      const track =
        source instanceof NodeLocalStream ? (kind === 'audio' ? source.audio : source.video) : null;
      return track !== null && !track.closed && !track.muted;
    };
    return { audio: open('audio'), video: open('video') };
  }

  setTrackMuted(source: NodeLocalStream, kind: 'audio' | 'video', muted: boolean): boolean {
    if (!(source instanceof NodeLocalStream)) return false;
    const track = kind === 'audio' ? source.audio : source.video;
    if (!track || track.closed) return false;
    track.setMuted(muted);
    return true;
  }

  createPublishConnection(info: PublishMediaInfo<NodeLocalStream>): PublishConnection {
    this.checkOpen();
    let conn: WeriftPublishConnection | null = null;
    conn = new WeriftPublishConnection(
      info,
      this.connectionOptions(() => conn && this.connections.delete(conn)),
    );
    this.connections.add(conn);
    return conn;
  }

  createOutput(streamID: string): FrameSink {
    this.checkOpen();
    const sink = new FrameSink(streamID, this.log);
    this.outputs.add(sink);
    sink.once('end', () => this.outputs.delete(sink));
    return sink;
  }

  createPlayConnection(info: PlayMediaInfo<FrameSink>): PlayConnection {
    this.checkOpen();
    let conn: WeriftPlayConnection | null = null;
    conn = new WeriftPlayConnection(info, {
      ...this.connectionOptions(() => conn && this.connections.delete(conn)),
      track: this.receive,
    });
    this.connections.add(conn);
    return conn;
  }

  closeOutput(output: FrameSink): void {
    this.outputs.delete(output);
    output.close().catch(() => {
      // A recording failed to write; whoever called writeTo() sees it from the sink's own close().
    });
  }

  /** Closes every connection and output. Idempotent. The app's local streams stay open: they are the app's. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const conn of [...this.connections]) conn.close();
    this.connections.clear();
    for (const output of [...this.outputs]) this.closeOutput(output);
  }

  private connectionOptions(onClose: () => void) {
    return {
      ice: this.ice,
      disconnectedTimeoutMs: this.disconnectedTimeoutMs,
      log: this.log,
      onClose,
      turnChecks: this.turnChecks,
    };
  }

  private checkOpen(): void {
    if (this._closed) throw new Error('the media backend is closed');
  }
}
