/**
 * The fields of werift's `RTCRtpSender` and `RTCDtlsTransport` that the forwarding fast path (FastRtpSender)
 * writes or checks per packet, kept off werift's objects: the fast path touches one small object of its own
 * per packet, and meets werift's objects only where werift's own methods run.
 *
 * Why: per forwarded packet and player the fast path checked nine fields of werift's sender and the state of
 * its DTLS transport (whether werift's pipeline would send the same bytes), and wrote six counters of the
 * sender and two of the transport. werift's sender has about seventy fields, so these reads and writes fall on
 * several cache lines of an object no other player shares; in a 300-player video fan-out profile the two
 * functions doing them (Consumer.handleRtp, FastRtpSender.send) took 8 % of the server's samples — as much as
 * the whole HMAC of SRTP — most of it on the first read of the sender and of its codec.
 *
 * - Counters (the sender's `packetCount`, `octetCount`, `sequenceNumber`, `timestamp`, `headerBytesSent`,
 *   the two retransmission counters; the DTLS transport's `bytesSent` and `packetsSent`): werift keeps its
 *   own fields, counting what its own pipeline sends; the fast path counts what it sends on its own object,
 *   and adds that to werift's fields ({@link MethodHooks.beforeWerift}) before any werift method that reads
 *   one runs — its stats, its own send, its continuity rewrite. Every writer adds to a field (a
 *   read-modify-write on one thread), so the sum is exact whoever counted first. The newest sequence number
 *   and timestamp are the fast path's if it sent after werift's pipeline last did.
 * - Checked fields (`stopped`, `ssrc`, `codec`, `dtlsTransport`, `headerExtensions`, `redRedundantPayloadType`,
 *   `seqOffset`, `timestampOffset`, `rtpContinuityPending`; `state` and `srtp` of the DTLS transport) stay
 *   werift's: the fast path reads them when it decides, and decides again after any werift method that
 *   writes one of them returned ({@link MethodHooks.afterWerift}). Parley's own writes (the SRTP swap,
 *   weriftSrtp.ts) say so themselves ({@link dtlsChanged}).
 *
 * Which werift methods are hooked is checked at start-up against werift's own sources (methodHooks.ts,
 * checkWeriftShapes.ts). The hooks replaced accessors installed on werift's objects, which kept every such
 * sender and DTLS transport in V8's dictionary mode (3.1 and 1.6 KiB each).
 */
import { RTCDtlsTransport, RTCRtpSender } from 'werift';
import { hookMethods, type MethodHooks, methodsTouching, touchesOutsideMethods } from './methodHooks.js';
import { DTLS_CHECKED, DTLS_COUNTERS, SENDER_CHECKED, SENDER_COUNTERS } from './shapes.js';

/** The sender's methods that write a checked field or read a counter (werift 0.25.2). */
export const SENDER_HOOKED = [
  'collectStats',
  'detachTrack',
  'dispatchRtp',
  'handleRtcpPacket',
  'prepareSend',
  'replaceRTP',
  'replaceTrack',
  'runRtcp',
  'scheduleRtpContinuity',
  'setDtlsTransport',
  'stop',
] as const;

/** The DTLS transport's methods that write a checked field or read a counter (werift 0.25.2). */
export const DTLS_HOOKED = ['getStats', 'sendRtcp', 'sendRtp', 'setState', 'updateSrtpSession'] as const;

const SENDER_HOOKS = Symbol('parley.senderHooks');
const DTLS_HOOKS = Symbol('parley.dtlsHooks');

/**
 * The methods werift's sources say must be hooked, against the lists above: one line per difference (empty
 * when they agree). A werift that writes a checked field or reads a counter elsewhere would let the fast path
 * miss a change or werift read a short count.
 */
export function hookedMethodProblems(): string[] {
  const problems: string[] = [];
  const compare = (
    what: string,
    cls: { prototype: object },
    checked: readonly string[],
    counters: readonly string[],
    hooked: readonly string[],
  ) => {
    const needed = new Set([
      ...methodsTouching(cls.prototype, checked, false),
      ...methodsTouching(cls.prototype, counters, true),
    ]);
    const outside = touchesOutsideMethods(cls, checked, false) + touchesOutsideMethods(cls, counters, true);
    if (outside > 0) {
      problems.push(
        `${what} writes a checked field or reads a counter ${outside}× outside its methods (constructor or instance function)`,
      );
    }
    for (const name of needed) {
      if (!hooked.includes(name))
        problems.push(`${what}.${name} writes a checked field or reads a counter, unhooked`);
    }
    for (const name of hooked) {
      if (!needed.has(name)) problems.push(`${what}.${name} is hooked, but no longer touches those fields`);
    }
  };
  compare('RTCRtpSender', RTCRtpSender, SENDER_CHECKED, SENDER_COUNTERS, SENDER_HOOKED);
  compare('RTCDtlsTransport', RTCDtlsTransport, DTLS_CHECKED, DTLS_COUNTERS, DTLS_HOOKED);
  return problems;
}

let installed = false;
function install(): void {
  if (installed) return;
  hookMethods(RTCRtpSender.prototype, SENDER_HOOKS, SENDER_HOOKED);
  hookMethods(RTCDtlsTransport.prototype, DTLS_HOOKS, DTLS_HOOKED);
  installed = true;
}

/** What one fast path sent on a DTLS transport, not yet added to the transport's own counts. */
export interface DtlsCounts {
  dtlsBytesSent: number;
  dtlsPacketsSent: number;
}

interface DtlsCounters {
  bytesSent: number;
  packetsSent: number;
}

/** The fast paths of one DTLS transport (its subscriber's consumers) and what they counted on it. */
export class DtlsFields implements MethodHooks {
  private readonly counts = new Set<DtlsCounts>();
  private readonly listeners = new Set<() => void>();
  /** Sent by {@link countSent} (the sender reports), not yet added to the transport's counters. */
  private bytes = 0;
  private packets = 0;

  constructor(private readonly dtls: RTCDtlsTransport) {}

  /**
   * Counts what `counts` counts on the transport, and calls `listener` after werift (or Parley, through
   * {@link dtlsChanged}) may have changed a checked field, until the returned function is called (what
   * `counts` counted is then added to the transport's own).
   */
  join(counts: DtlsCounts, listener: () => void): () => void {
    this.counts.add(counts);
    this.listeners.add(listener);
    return () => {
      if (!this.counts.has(counts)) return;
      this.addToWerift(counts);
      this.counts.delete(counts);
      this.listeners.delete(listener);
    };
  }

  /** Counts a send of werift's kind (not a fast path's), such as a sender report. */
  countSent(bytes: number, packets: number): void {
    this.bytes += bytes;
    this.packets += packets;
  }

  /** Adds what the fast paths and the reports counted to werift's own counters. */
  beforeWerift(): void {
    const own = this.dtls as unknown as DtlsCounters;
    own.bytesSent += this.bytes;
    own.packetsSent += this.packets;
    this.bytes = 0;
    this.packets = 0;
    for (const counts of this.counts) this.addToWerift(counts);
  }

  /** A werift method that may have written a checked field returned. */
  afterWerift(): void {
    for (const listener of this.listeners) listener();
  }

  private addToWerift(counts: DtlsCounts): void {
    const own = this.dtls as unknown as DtlsCounters;
    own.bytesSent += counts.dtlsBytesSent;
    own.packetsSent += counts.dtlsPacketsSent;
    counts.dtlsBytesSent = 0;
    counts.dtlsPacketsSent = 0;
  }
}

/**
 * Hooks `sender`'s werift methods to `host` (the fast path: {@link MethodHooks.beforeWerift} adds what it
 * counted to werift's counters, {@link MethodHooks.afterWerift} makes it decide again). Once per sender: a
 * second call throws (a sender has one fast path).
 */
export function hookSender(sender: RTCRtpSender, host: MethodHooks): void {
  install();
  const hooked = sender as unknown as Record<symbol, MethodHooks | undefined>;
  if (hooked[SENDER_HOOKS] !== undefined) throw new Error('this sender already has a fast path');
  hooked[SENDER_HOOKS] = host;
}

/** The fast paths of `dtls`, made and hooked the first time (then shared by every consumer on it). */
export function dtlsFieldsOf(dtls: RTCDtlsTransport): DtlsFields {
  install();
  const hooked = dtls as unknown as Record<symbol, DtlsFields | undefined>;
  let fields = hooked[DTLS_HOOKS];
  if (fields === undefined) {
    fields = new DtlsFields(dtls);
    hooked[DTLS_HOOKS] = fields;
  }
  return fields;
}

/** Parley changed a checked field of `dtls` itself (its SRTP sessions): its fast paths decide again. */
export function dtlsChanged(dtls: RTCDtlsTransport): void {
  (dtls as unknown as Record<symbol, DtlsFields | undefined>)[DTLS_HOOKS]?.afterWerift();
}
