/**
 * Makes werift's ICE-lite agent follow the controlling agent's newest nomination.
 *
 * werift keeps the first pair the peer nominates for the life of the connection: `checkComplete` refuses to
 * overwrite `nominated` (RFC 8445 §7.3.1.5 read strictly). Browsers, the controlling agent against an ICE-lite
 * SFU, nominate the first pair that works and move the nomination (USE-CANDIDATE) to a better pair once that
 * works too; libwebrtc then sends on the new pair and expects media there. A player's connection shows it: the
 * browser's checks of its host pair reach the SFU before the SFU has the answer's credentials and go
 * unanswered, a relay pair gathered later is checked and nominated first, and the host pair takes over a moment
 * later. Left alone, the SFU went on sending that player's media through the TURN server while the browser
 * reported the host pair as selected. ICE-lite servers follow the newest nomination (mediasoup switches its
 * selected tuple on a USE-CANDIDATE on another one), and so does the SFU with this.
 */
import { CandidatePairState } from 'werift';
import { nominationChanged } from './PairRoute.js';
import { installPairHooks } from './pairHooks.js';
import type { WeriftIceConnection } from './shapes.js';

const followed = new WeakSet<object>();

/** Installs the rule on `connection` (werift's ICE connection of one transport); idempotent. */
export function followLatestNomination(ice: WeriftIceConnection): void {
  if (!ice.iceLite || followed.has(ice)) return;
  followed.add(ice);
  // Bound below: werift's method must be hooked first, so that its own nominations still reach the route.
  installPairHooks();
  const checkComplete = ice.checkComplete.bind(ice);
  ice.checkComplete = (pair) => {
    const renominated =
      ice.nominated !== undefined &&
      pair !== ice.nominated &&
      pair.nominated &&
      pair.remoteNominated === true &&
      pair.state === CandidatePairState.SUCCEEDED;
    // werift's ICE connection reads `nominated` per packet, so DTLS follows at once; the route of the forwarded
    // media resolved the old pair once and is told.
    if (renominated) {
      ice.nominated = pair;
      nominationChanged(ice);
    }
    checkComplete(pair);
  };
}
