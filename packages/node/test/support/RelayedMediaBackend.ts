/**
 * The Node SDK's werift backend with its media path through a {@link RelayNetwork}: every SDP the SFU sends
 * (the answer to a publish, the offer of a play) has its candidates swapped for relays before the connection
 * sees it. The engine and the server are untouched; a test breaks the media path by setting the network's mode.
 */
import type { PlayConnection, PlayMediaInfo, PublishConnection, PublishMediaInfo } from '@parley/engine';
import {
  type FrameSink,
  type NodeLocalStream,
  WeriftMediaBackend,
  type WeriftMediaBackendOptions,
} from '../../src/index.js';
import type { RelayNetwork } from './UdpRelay.js';

export class RelayedMediaBackend extends WeriftMediaBackend {
  constructor(
    private readonly network: RelayNetwork,
    options: WeriftMediaBackendOptions = {},
  ) {
    super(options);
  }

  override createPublishConnection(info: PublishMediaInfo<NodeLocalStream>): PublishConnection {
    const conn = super.createPublishConnection(info);
    const setAnswer = conn.setAnswer.bind(conn);
    conn.setAnswer = async (sdp) => setAnswer(await this.network.rewrite(sdp));
    return conn;
  }

  override createPlayConnection(info: PlayMediaInfo<FrameSink>): PlayConnection {
    const conn = super.createPlayConnection(info);
    const acceptOffer = conn.acceptOffer.bind(conn);
    conn.acceptOffer = async (sdp) => acceptOffer(await this.network.rewrite(sdp));
    return conn;
  }
}
