/**
 * The seam where media plugs into the engine. This issue is signaling only: the engine registers streams with
 * the server and reports publisher states; a MediaBackend (werift in Node, RTCPeerConnection in browsers,
 * coming in the media issue) will move the actual audio and video. Without a backend nothing is sent — the
 * engine never pretends otherwise.
 */

/** A stream the engine publishes: what the server knows, plus the app's media source for it. */
export interface PublishedStreamInfo<Source = unknown> {
  streamID: string;
  roomID: string;
  /** The face's media source as given to `startPublishingStream` (e.g. a ZegoLocalStream); opaque to the core. */
  source: Source | undefined;
}

/**
 * What the engine asks of a media stack.
 * @example
 * const media: MediaBackend = {
 *   async startPublishing(info) { await negotiateWithSfu(info.streamID, info.source); },
 *   stopPublishing(streamID) { closeSender(streamID); },
 *   close() {},
 * };
 */
export interface MediaBackend<Source = unknown> {
  /**
   * The server accepted the stream: start sending its media. The publisher becomes PUBLISHING when this
   * resolves; a rejection with a ParleyError makes it NO_PUBLISH with that code.
   */
  startPublishing(info: PublishedStreamInfo<Source>): Promise<void>;
  /** The stream stopped (by the app, logout, kickout or a failed reconnect): stop sending. */
  stopPublishing(streamID: string): void;
  /** The engine is destroyed: release everything. */
  close(): void;
}
