/**
 * Drops the parsed session descriptions werift keeps of a transport's one negotiation, once it is connected.
 *
 * werift's `SDPManager` keeps the current local and remote descriptions parsed (`SessionDescription`, each with
 * its `MediaDescription`s, codecs, extensions, candidates and a cached JSON form): a heap snapshot of the bench
 * server at 25 and 100 video players (one transport each) counted 8.2 KiB per transport in the two. A Parley
 * transport negotiates once (the SFU offers to a player, answers a publisher; there is no renegotiation and no
 * ICE restart) and sends its own description before the peer can connect, so once the offer and answer are
 * applied and the transport is connected, nothing of Parley reads them again.
 *
 * What werift 0.25.2 (webrtc/src/peerConnection.ts, sdpManager.ts) still reads of them after that, and why
 * dropping them is safe for such a transport:
 * - `createOffer`, `createAnswer`, `setLocalDescription`, `setRemoteDescription`, `settleStoppingTransceivers`
 *   and the bundle groups: negotiation only, which a Parley transport does not do again.
 * - `addIceCandidate` (`_remoteDescription.media`): the SFU is ICE-lite and learns the peer's address from its
 *   checks; it never adds a remote candidate.
 * - the gatherer's candidate handler: gathering ended before the SFU's description was sent (non-trickle); a
 *   late candidate finds no description and is logged and dropped, which is what it would be worth anyway.
 * - `remoteIsBundled`, read when a transport is made: with `max-bundle` werift never reaches it.
 * - the `localDescription` and `remoteDescription` getters: they read null afterwards.
 * The signaling state stays `stable`.
 */
import type { RTCPeerConnection } from 'werift';
import { sdpManagerOf } from './shapes.js';

/**
 * Drops `pc`'s negotiated descriptions (see the file's comment); returns whether it did. A connection whose
 * negotiation is not settled (signaling state other than `stable`, or an offer or answer still pending) keeps
 * them. Call it only for a connection that will not negotiate again.
 */
export function dropNegotiatedDescriptions(pc: RTCPeerConnection): boolean {
  if (pc.signalingState !== 'stable') return false;
  const sdp = sdpManagerOf(pc);
  if (sdp.pendingLocalDescription || sdp.pendingRemoteDescription) return false;
  if (!sdp.currentLocalDescription && !sdp.currentRemoteDescription) return false;
  sdp.currentLocalDescription = undefined;
  sdp.currentRemoteDescription = undefined;
  return true;
}
