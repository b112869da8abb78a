/**
 * Lets werift's ICE-lite agent count as connected on the controlling agent's first valid check, as mediasoup's
 * ICE-lite server does (its `IceServer` goes to `connected` on a Binding request without USE-CANDIDATE and to
 * `completed` on one with it), instead of waiting for the nomination.
 *
 * A browser facing an ICE-lite agent checks a pair, gets the response, starts its DTLS handshake on that pair
 * at once, and nominates it (USE-CANDIDATE) only at its next ping, about 50 ms later. werift connects an
 * ICE-lite agent on the nomination only, and creates the SFU's DTLS server after that: the browser's
 * ClientHello, sent in between, was dropped, and the handshake waited for its retransmission (which happened to
 * follow the nomination). A player's timeline showed it: first check answered, ClientHello 9 ms later and lost,
 * USE-CANDIDATE and the retransmitted ClientHello 55 ms later. With this the first check connects, the DTLS
 * server is there for the first ClientHello, and the later nomination confirms the pair; a nomination of
 * another pair is followed (followNomination.ts).
 *
 * Only a request addressed to this agent (the USERNAME starts with its local ufrag) connects it: werift itself
 * answers any Binding request. An ICE-lite agent sends no checks of its own, so the pair of a check the SFU
 * answered is as proven as it gets for the SFU's side (RFC 8445 §2.5: a lite agent's pairs are validated by the
 * full agent's checks).
 */
import { CandidatePairState, type RTCDtlsTransport } from 'werift';
import { liteIceConnectionOf } from './shapes.js';

const installed = new WeakSet<object>();

/** Installs the rule on the ICE connection under `dtls` (one transport's); idempotent. */
export function connectOnFirstCheck(dtls: RTCDtlsTransport): void {
  const ice = liteIceConnectionOf(dtls);
  if (!ice?.iceLite || installed.has(ice)) return;
  installed.add(ice);
  const checkIncoming = ice.checkIncoming.bind(ice);
  ice.checkIncoming = (message, addr, protocol) => {
    checkIncoming(message, addr, protocol);
    // Already connected, or the nomination itself (werift has just handled it).
    if (ice.nominated !== undefined || message.attributesKeys.includes('USE-CANDIDATE')) return;
    const username = message.getAttributeValue('USERNAME');
    if (typeof username !== 'string' || !username.startsWith(`${ice.localUsername}:`)) return;
    const [host, port] = addr;
    const pair = ice.checkList.find(
      (p) => p.protocol === protocol && p.remoteAddr[0] === host && p.remoteAddr[1] === port,
    );
    if (!pair) return;
    pair.nominated = true;
    pair.updateState(CandidatePairState.SUCCEEDED);
    ice.checkComplete(pair);
  };
}
