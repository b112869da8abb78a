/**
 * The fields of werift's `RTCRtpSender` and `RTCDtlsTransport` that the forwarding fast path (FastRtpSender)
 * writes or checks per packet, taken off werift's objects: werift keeps reading and writing them as before,
 * through accessors installed on its objects, while the fast path touches one small object of its own.
 *
 * Why: per forwarded packet and player the fast path checked nine fields of werift's sender and the state of
 * its DTLS transport (whether werift's pipeline would send the same bytes), and wrote six counters of the
 * sender and two of the transport. werift's sender has about seventy fields, so these reads and writes fall on
 * several cache lines of an object no other player shares; in a 300-player video fan-out profile the two
 * functions doing them (Consumer.handleRtp, FastRtpSender.send) took 8 % of the server's samples — as much as
 * the whole HMAC of SRTP — most of it on the first read of the sender and of its codec.
 *
 * - The sender's counters (`packetCount`, `octetCount`, `sequenceNumber`, `timestamp`, `headerBytesSent`,
 *   the two retransmission counters) live in the host object (the FastRtpSender); the accessors read and
 *   write them there, so werift's stats, its own sends and the SFU's sender reports see exactly what was sent:
 *   one value, two ways to reach it.
 * - The DTLS transport's `bytesSent` and `packetsSent` are shared by its consumers (audio and video) and
 *   werift's own sends: each fast path counts its own packets ({@link DtlsCounts}), and the accessors read the
 *   transport's own count plus theirs ({@link DtlsFields}), as PairRoute does for the ICE pair. The fast path
 *   then writes no object it shares with another consumer.
 * - Checked fields (`stopped`, `ssrc`, `codec`, `dtlsTransport`, `headerExtensions`, `redRedundantPayloadType`,
 *   `seqOffset`, `timestampOffset`, `rtpContinuityPending`; `state` and `srtp` of the DTLS transport) keep
 *   their values in a small object; a write calls the host back, which then checks them all again before its
 *   next packet instead of on every packet. werift assigns each of them (none is changed in place: checked
 *   in werift 0.25.2's rtpSender.ts and dtls.ts), so a write is the only way they change.
 *
 * The accessors are shared functions (one per field, for every object), so a sender costs one more object,
 * not one closure per field. checkWeriftShapes.ts verifies at start-up that every field is an own, configurable
 * data property, as werift defines them.
 */
import type { RTCDtlsTransport, RTCRtpSender } from 'werift';
import { DTLS_CHECKED, DTLS_COUNTERS, SENDER_CHECKED, SENDER_COUNTERS } from './shapes.js';

/**
 * Where a sender's counters live: the fast path's own object. The accessors read and write `host[name]`, so a
 * host may keep a counter behind an accessor of its own (FastRtpSender keeps `timestamp` in number-only fields).
 */
export interface SenderCounters {
  sequenceNumber: number | undefined;
  /** undefined until the first packet: werift's sender checks that before it continues a replaced track. */
  timestamp: number | undefined;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  /** Called after werift (or anyone) assigned one of {@link SENDER_CHECKED}. */
  senderChanged(): void;
}

/** What one fast path sent on a DTLS transport, not yet added to the transport's own counts. */
export interface DtlsCounts {
  dtlsBytesSent: number;
  dtlsPacketsSent: number;
}

/** The counters and checked fields of one DTLS transport, shared by the consumers of its subscriber. */
export class DtlsFields {
  /** The values of {@link DTLS_CHECKED}. */
  readonly checked: Record<string, unknown> = {};
  /** The values of {@link DTLS_COUNTERS}, without what the fast paths in `counts` have counted. */
  private readonly own: Record<string, number> = {};
  private readonly counts = new Set<DtlsCounts>();
  private readonly listeners = new Set<() => void>();

  /**
   * Adds what `counts` counts to the transport's counters, and calls `listener` after each write of a checked
   * field, until the returned function is called (then what `counts` counted stays in the transport's own).
   */
  join(counts: DtlsCounts, listener: () => void): () => void {
    this.counts.add(counts);
    this.listeners.add(listener);
    return () => {
      if (!this.counts.delete(counts)) return;
      this.listeners.delete(listener);
      this.own['bytesSent'] = (this.own['bytesSent'] ?? 0) + counts.dtlsBytesSent;
      this.own['packetsSent'] = (this.own['packetsSent'] ?? 0) + counts.dtlsPacketsSent;
      counts.dtlsBytesSent = 0;
      counts.dtlsPacketsSent = 0;
    };
  }

  /**
   * Counts a send of werift's kind (not a fast path's), such as a sender report: what `dtls.bytesSent += bytes`
   * and `dtls.packetsSent += packets` do through the accessors, without summing the fast paths' counts twice
   * for each of them.
   */
  countSent(bytes: number, packets: number): void {
    this.own['bytesSent'] = (this.own['bytesSent'] ?? 0) + bytes;
    this.own['packetsSent'] = (this.own['packetsSent'] ?? 0) + packets;
  }

  /** @internal The transport's `bytesSent` or `packetsSent`: its own count plus the fast paths'. */
  read(name: string): number {
    let sum = this.own[name] ?? 0;
    for (const c of this.counts) sum += name === 'bytesSent' ? c.dtlsBytesSent : c.dtlsPacketsSent;
    return sum;
  }

  /** @internal Sets it (werift's `+=`, or a reset): the fast paths' part stays theirs. */
  write(name: string, value: number): void {
    this.own[name] = value - (this.read(name) - (this.own[name] ?? 0));
  }

  /** @internal Called by the accessors. */
  changed(): void {
    for (const listener of this.listeners) listener();
  }
}

const COUNTERS = Symbol('parley.counters');
const CHECKED = Symbol('parley.checked');
const CHANGED = Symbol('parley.changed');
const DTLS = Symbol('parley.dtls');

interface Hooked {
  [COUNTERS]: Record<string, unknown>;
  [CHECKED]: Record<string, unknown>;
  [CHANGED]: () => void;
  [DTLS]: DtlsFields;
}

/** An accessor of a DTLS transport's counter: its own count plus the fast paths'. */
function dtlsCounterAccessor(name: string): PropertyDescriptor {
  return {
    configurable: true,
    enumerable: true,
    get(this: Hooked) {
      return this[DTLS].read(name);
    },
    set(this: Hooked, value: number) {
      this[DTLS].write(name, value);
    },
  };
}

/** An accessor that keeps the value in the object's counters. */
function counterAccessor(name: string): PropertyDescriptor {
  return {
    configurable: true,
    enumerable: true,
    get(this: Hooked) {
      return this[COUNTERS][name];
    },
    set(this: Hooked, value: unknown) {
      this[COUNTERS][name] = value;
    },
  };
}

/** An accessor that keeps the value in the object's checked fields and reports each write. */
function checkedAccessor(name: string): PropertyDescriptor {
  return {
    configurable: true,
    enumerable: true,
    get(this: Hooked) {
      return this[CHECKED][name];
    },
    set(this: Hooked, value: unknown) {
      this[CHECKED][name] = value;
      this[CHANGED]();
    },
  };
}

type AccessorKind = 'counter' | 'checked' | 'dtlsCounter';
const accessors = new Map<string, PropertyDescriptor>();
function accessor(kind: AccessorKind, name: string): PropertyDescriptor {
  const key = `${kind}:${name}`;
  let found = accessors.get(key);
  if (found === undefined) {
    if (kind === 'counter') found = counterAccessor(name);
    else if (kind === 'checked') found = checkedAccessor(name);
    else found = dtlsCounterAccessor(name);
    accessors.set(key, found);
  }
  return found;
}

/** Moves `names` of `target` into `store` and installs the accessors that reach them there. */
function move(
  target: object,
  names: readonly string[],
  kind: AccessorKind,
  store: Record<string, unknown>,
): void {
  const fields = target as Record<string, unknown>;
  for (const name of names) {
    store[name] = fields[name];
    Object.defineProperty(target, name, accessor(kind, name));
  }
}

const hookedSenders = new WeakSet<RTCRtpSender>();

/**
 * Moves `sender`'s counters into `host` (their values carried over) and its checked fields into a small
 * object of their own; returns the checked fields, for the host to read when it is told they changed. Once
 * per sender: a second call throws (a sender has one fast path).
 */
export function hookSender(sender: RTCRtpSender, host: SenderCounters): Readonly<Record<string, unknown>> {
  if (hookedSenders.has(sender)) throw new Error('this sender already has a fast path');
  hookedSenders.add(sender);
  const hooked = sender as unknown as Hooked;
  const checked: Record<string, unknown> = {};
  hooked[COUNTERS] = host as unknown as Record<string, unknown>;
  hooked[CHECKED] = checked;
  hooked[CHANGED] = () => host.senderChanged();
  move(sender, SENDER_COUNTERS, 'counter', host as unknown as Record<string, unknown>);
  move(sender, SENDER_CHECKED, 'checked', checked);
  return checked;
}

const dtlsFields = new WeakMap<RTCDtlsTransport, DtlsFields>();

/** The fields of `dtls`, moved off it the first time (then shared by every consumer on that transport). */
export function dtlsFieldsOf(dtls: RTCDtlsTransport): DtlsFields {
  let fields = dtlsFields.get(dtls);
  if (fields === undefined) {
    const created = new DtlsFields();
    fields = created;
    dtlsFields.set(dtls, created);
    const hooked = dtls as unknown as Hooked;
    hooked[DTLS] = created;
    hooked[CHECKED] = created.checked;
    hooked[CHANGED] = () => created.changed();
    for (const name of DTLS_COUNTERS) {
      created.write(name, (dtls as unknown as Record<string, number>)[name] ?? 0);
      Object.defineProperty(dtls, name, accessor('dtlsCounter', name));
    }
    move(dtls, DTLS_CHECKED, 'checked', created.checked);
  }
  return fields;
}

/** Whether `target[name]` is an own, configurable data property: what {@link hookSender} can move. */
export function isMovableField(target: object, name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(target, name);
  return d !== undefined && d.configurable === true && 'value' in d;
}
