/**
 * The SRTP packet index of one RTP stream (RFC 3711 §3.3.1 and Appendix A): the rollover counter (ROC) that
 * extends the 16-bit sequence number, estimated from the highest sequence number seen (s_l) exactly like
 * libsrtp, on both sides:
 * - protect: the ROC of each packet sent, a retransmission of an old packet included;
 * - unprotect: the ROC guessed for an incoming packet, committed only once the packet authenticated.
 *
 * werift's own context uses a 100-packet heuristic instead. Both agree on in-order streams, on wraps and on
 * reordering or retransmissions within 100 packets of a wrap (the unit tests compare them byte for byte);
 * where they differ, werift's guess is the wrong one: after a jump of 100 or more packets across a wrap
 * (a burst loss, a switch of source) its ROC stays one behind for good, and a retransmitted sequence number 0
 * advances it for good, so every later packet fails authentication at the peer.
 */

const HALF = 0x8000;

/** Per-SSRC index state. */
export class RolloverCounter {
  /** The ROC of the highest packet seen. */
  roc = 0;
  /** The highest sequence number seen (s_l), or -1 before the first packet. */
  highestSeq = -1;

  /** The ROC of a packet with sequence number `seq` (RFC 3711 Appendix A), without changing the state. */
  estimate(seq: number): number {
    const sl = this.highestSeq;
    if (sl < 0) return this.roc;
    if (sl < HALF) {
      // A packet from before a wrap still ahead of us; there is none before index 0.
      if (seq - sl > HALF) return this.roc === 0 ? 0 : (this.roc - 1) >>> 0;
      return this.roc;
    }
    if (sl - HALF > seq) return (this.roc + 1) >>> 0;
    return this.roc;
  }

  /** Records packet (`seq`, `roc`) as seen (sent, or received and authenticated). */
  update(seq: number, roc: number): void {
    if (this.highestSeq < 0) {
      this.roc = roc;
      this.highestSeq = seq;
    } else if (roc === (this.roc + 1) >>> 0) {
      this.roc = roc;
      this.highestSeq = seq;
    } else if (roc === this.roc && seq > this.highestSeq) {
      this.highestSeq = seq;
    }
  }

  /** `estimate` then `update`: the ROC to protect a packet with. */
  next(seq: number): number {
    const roc = this.estimate(seq);
    this.update(seq, roc);
    return roc;
  }
}
