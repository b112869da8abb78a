/**
 * Gives the Node SDK's ICE connectivity checks a budget of seconds, not of a moment. werift sends a check over
 * UDP 5 times in 1.55 s (a 50-ms RTO that doubles, 4 retransmissions: `Connection.checkRequestOptions` in
 * werift/lib/ice/src/ice.js) and then fails the pair; against the SFU, whose one candidate makes one pair, the
 * connection fails with it. So a stall of 1.5 s on either side (a loaded machine, a burst of loss) failed the
 * direct path, and the engine, which takes a failed direct path with TURN offered for a network that lets no
 * UDP through, sent the rest of the session through TURN (MediaPaths). With 6 retransmissions a check is sent 7
 * times over 6.35 s (the RTO doubles to 3.2 s), like werift's own budget for other STUN requests (`RETRY_MAX`)
 * and a browser's few seconds before a pair is given up, and still inside the engine's connect timeout (10 s).
 * A network that drops UDP still fails the direct path, only later.
 */
import type { EngineLogger } from '@parley/engine';
import type { RTCPeerConnection } from 'werift';

/** Retransmissions of a connectivity check over UDP: 7 sends in 6.35 s (werift's own: 4, in 1.55 s). */
export const CHECK_RETRANSMISSIONS = 6;

/** What werift's `checkRequestOptions(pair)` returns: the STUN transaction options of one check. */
interface CheckOptions {
  retransmissions?: number;
  responseTimeout?: number;
}

/** The private method of werift's ICE `Connection` this module wraps (pinned by iceCheckBudget.test.ts). */
interface CheckingIce {
  checkRequestOptions: (pair: unknown) => CheckOptions;
}

const lengthened = new WeakSet<object>();

/**
 * Lengthens the UDP checks of every ICE transport of `pc`. Call it once the transports exist and before werift
 * starts checking: after createOffer/createAnswer, before setLocalDescription (an answerer starts checking
 * there). Should a werift version lack the method, the checks keep werift's budget and a warning says so.
 */
export function lengthenIceChecks(pc: RTCPeerConnection, log: EngineLogger): void {
  for (const transport of pc.iceTransports) {
    const ice = transport.connection as unknown as Partial<CheckingIce>;
    if (lengthened.has(ice)) continue;
    const own = ice.checkRequestOptions;
    if (typeof own !== 'function') {
      log.warn("werift's ICE has no checkRequestOptions: its connectivity checks keep their 1.55-s budget");
      continue;
    }
    ice.checkRequestOptions = (pair) => {
      const options = own.call(ice, pair);
      // A check over TCP has no retransmissions (RFC 5389 §7.2.2) but a response timeout: left as werift has it.
      if (!options.retransmissions) return options;
      return { ...options, retransmissions: CHECK_RETRANSMISSIONS };
    };
    lengthened.add(ice);
  }
}
