/**
 * The browser's media stack behind the engine core: RTCPeerConnection for the connections, MediaStream for what
 * `startPlayingStream` hands the app, `track.enabled` for mutes (a disabled track sends silence or black, as
 * every WebRTC app's mute does, and the players are told the state through signaling).
 */
import type {
  MediaBackend,
  MediaKind,
  PlayConnection,
  PlayMediaInfo,
  PublishConnection,
  PublishMediaInfo,
} from '@parley/engine';
import { ErrorCode } from '@parley/protocol';
import { BrowserPlayConnection } from './BrowserPlayConnection.js';
import { BrowserPublishConnection } from './BrowserPublishConnection.js';
import { type LocalSource, mediaStreamOf } from './localSource.js';

const live = (track: MediaStreamTrack) => track.readyState === 'live';

/**
 * @example
 * const zg = new WebFace(appID, server, { media: new BrowserMediaBackend() });
 */
export class BrowserMediaBackend implements MediaBackend<LocalSource, MediaStream> {
  private readonly connections = new Set<PublishConnection | PlayConnection>();
  private readonly outputs = new Set<MediaStream>();
  private closed = false;

  checkSource(source: LocalSource | undefined): number {
    const stream = mediaStreamOf(source);
    return stream?.getTracks().some(live) ? 0 : ErrorCode.INPUT_PARAMETER;
  }

  trackStates(source: LocalSource | undefined): { audio: boolean; video: boolean } {
    const tracks = mediaStreamOf(source)?.getTracks() ?? [];
    const sending = (kind: MediaKind) => tracks.some((t) => t.kind === kind && live(t) && t.enabled);
    return { audio: sending('audio'), video: sending('video') };
  }

  setTrackMuted(source: LocalSource, kind: MediaKind, muted: boolean): boolean {
    const tracks =
      mediaStreamOf(source)
        ?.getTracks()
        .filter((t) => t.kind === kind) ?? [];
    if (tracks.length === 0) return false;
    for (const track of tracks) track.enabled = !muted;
    return true;
  }

  createPublishConnection(info: PublishMediaInfo<LocalSource>): PublishConnection {
    this.checkOpen();
    const conn: PublishConnection = new BrowserPublishConnection(info, () => this.connections.delete(conn));
    this.connections.add(conn);
    return conn;
  }

  createOutput(_streamID: string): MediaStream {
    this.checkOpen();
    const output = new MediaStream();
    this.outputs.add(output);
    return output;
  }

  createPlayConnection(info: PlayMediaInfo<MediaStream>): PlayConnection {
    this.checkOpen();
    const conn: PlayConnection = new BrowserPlayConnection(info, () => this.connections.delete(conn));
    this.connections.add(conn);
    return conn;
  }

  closeOutput(output: MediaStream): void {
    this.outputs.delete(output);
    for (const track of output.getTracks()) {
      track.stop();
      output.removeTrack(track);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const conn of [...this.connections]) conn.close();
    for (const output of [...this.outputs]) this.closeOutput(output);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the media backend is closed');
  }
}
