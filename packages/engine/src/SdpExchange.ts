/**
 * The order of one media connection's SDP exchange, checked alike by every media backend (browser, werift):
 * a publish connection makes one offer and applies one answer to it; a play connection accepts one offer.
 * Each step throws, before touching the peer connection, when it is out of order or the SDP is not one.
 * @example
 * const exchange = new SdpExchange();
 * exchange.offer(); // createOffer()
 * await pc.setRemoteDescription({ type: 'answer', sdp: exchange.answer(sdp) });
 */
export class SdpExchange {
  private offered = false;
  private answered = false;
  private accepted = false;

  /** A publish connection is about to create its offer. */
  offer(): void {
    if (this.offered) throw new Error('createOffer() was already called on this connection');
    this.offered = true;
  }

  /** A publish connection applies the answer to its offer: returns `sdp`, checked. */
  answer(sdp: unknown): string {
    if (!this.offered) throw new Error('setAnswer() before createOffer()');
    if (this.answered) throw new Error('the answer was already applied');
    const checked = checkSdp(sdp, 'answer');
    this.answered = true;
    return checked;
  }

  /** A play connection accepts the server's offer: returns `sdp`, checked. */
  acceptOffer(sdp: unknown): string {
    if (this.accepted) throw new Error('acceptOffer() was already called on this connection');
    const checked = checkSdp(sdp, 'offer');
    this.accepted = true;
    return checked;
  }
}

function checkSdp(sdp: unknown, what: 'offer' | 'answer'): string {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0'))
    throw new TypeError(`the ${what} must be an SDP string`);
  return sdp;
}
