/**
 * Answers a connected player's ICE checks in the UDP mux instead of in werift's ICE: the consent checks a
 * client sends on its selected pair every 4–6 s for the life of the connection (RFC 7675), and libwebrtc's
 * keepalive pings on it. werift's path for one check (parse into objects, answer, `checkIncoming`, an eager
 * debug log of the message and the pair) measured 190–250 µs per check at a node at rest with 200 video
 * players; the mux's answer (udpMux/bindingCheck.ts has the wire side) measured 110–190 µs there, and 17 µs
 * run hot. Most of what is left is the cost of waking an idle process for one datagram (see InactivitySweep.ts).
 *
 * Only a check werift would answer the same way, with no effect on its ICE state, is taken: from the
 * nominated pair's remote address on that pair's own mux transport, naming the current local ufrag, verified
 * with its password, not claiming the controlled role, IPv4. For such a check werift's ICE-lite agent does
 * no more than answer, count `requestsReceived` and `responsesSent` on the pair and, for a USE-CANDIDATE,
 * mark the already nominated pair nominated again: this does the same. (It does not add the transaction ID
 * to werift's per-pair set of IDs seen, which only tells retransmissions apart for a statistic and grows by
 * one ID per check for the connection's life.) The transport's liveness hears of the check through `onCheck`,
 * as it does through werift's `iceFilterStunResponse`. Every other check — the first ones, a nomination of
 * another pair, an ICE restart, a check on another tuple or with a wrong password — still goes to werift.
 */

import type { WeriftAnsweringIce as AnsweringIce } from './shapes.js';
import type { BindingCheck } from './udpMux/bindingCheck.js';
import { MuxTransport, type RemoteInfo } from './udpMux/MuxTransport.js';

/**
 * Lets the mux transports under `ice` answer its nominated pair's checks; `onCheck` runs for each one
 * answered. Returns the uninstall (the transport closing uninstalls too: the mux drops it).
 */
export function answerChecksInMux(ice: AnsweringIce, onCheck: () => void): () => void {
  if (!ice.iceLite) return () => {};
  const installed: MuxTransport[] = [];
  for (const protocol of ice.protocols) {
    const transport = protocol.transport;
    if (!(transport instanceof MuxTransport) || transport.socketType !== 'udp4') continue;
    transport.checkAnswerer = {
      mayAnswer: (check, rinfo) => mayAnswer(ice, transport, check, rinfo),
      answered: (check) => answered(ice, check, onCheck),
    };
    installed.push(transport);
  }
  return () => {
    for (const transport of installed) transport.checkAnswerer = null;
  };
}

function mayAnswer(
  ice: AnsweringIce,
  transport: MuxTransport,
  check: BindingCheck,
  rinfo: RemoteInfo,
): boolean {
  const pair = ice.nominated;
  return (
    pair !== undefined &&
    !check.iceControlled &&
    check.ufrag === ice.localUsername &&
    pair.protocol.transport === (transport as unknown) &&
    pair.remoteCandidate.port === rinfo.port &&
    pair.remoteCandidate.host === rinfo.address
  );
}

function answered(ice: AnsweringIce, check: BindingCheck, onCheck: () => void): void {
  const pair = ice.nominated;
  if (pair !== undefined) {
    pair.requestsReceived += 1;
    pair.responsesSent += 1;
    if (check.useCandidate) pair.remoteNominated = true;
  }
  onCheck();
}
