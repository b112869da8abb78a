/**
 * The bench's werift peer connections to Janus, on the bench's end of the link only. werift falls back to a
 * public STUN server whenever it is given no STUN URL, even with `iceServers: []` (see
 * packages/server/src/sfu/peerConfig.ts and the Node SDK's clientPeerConfig.ts), and a full ICE agent (the
 * bench's peers must be full agents: Janus is one) would send it binding requests. So the bench runs its own
 * STUN responder on its link address (Parley's StunResponder, the one the server announces in `hello`) and
 * names it as the only ICE server: the reflexive candidate werift learns is its host address again.
 */
import { StunResponder } from '@parley/server';
import type { PeerConfig } from 'werift';
import { benchPeerConfig } from '../lib/benchPeer.js';

/**
 * werift's configuration for a bench peer connection to Janus, with `stunUrl` the bench's responder and
 * `benchAddress` the bench's end of that Janus's link.
 */
export function janusPeerConfig(stunUrl: string, benchAddress: string): Partial<PeerConfig> {
  // As the bench's Parley peers: the SFU's codecs, no header extensions (Janus then sends none either).
  return benchPeerConfig(stunUrl, benchAddress);
}

/** The bench's STUN responder on its end (`benchAddress`) of a Janus's link (close it with the peers). */
export function startLinkStun(benchAddress: string): Promise<StunResponder> {
  return StunResponder.start({ bindAddress: benchAddress, announcedAddress: benchAddress, port: 0 });
}
