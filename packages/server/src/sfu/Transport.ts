/**
 * What publisher and subscriber transports share: one werift peer connection, its connection state, a
 * connect deadline, an inactivity watchdog, statistics, and an idempotent close that releases the peer.
 */

import { TypedEmitter } from '@parley/protocol';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80 } from '@parley/rtp';
import { type PeerConfig, type RTCDtlsTransport, RTCPeerConnection } from 'werift';
import type { InactivitySweep, Watched } from './InactivitySweep.js';
import { type RtpStreamStats, type TransportStats, transportStats } from './stats.js';
import { answerChecksInMux } from './werift/answerChecks.js';
import { connectOnFirstCheck } from './werift/connectOnFirstCheck.js';
import { dropNegotiatedDescriptions } from './werift/dropDescriptions.js';
import { keepEarlyDtls } from './werift/earlyDtls.js';
import { followLatestNomination } from './werift/followNomination.js';
import { leanEventsUnder } from './werift/leanEvents.js';
import { type InMuxReceiverClass, installInMux } from './werift/mediaInMux.js';
import { answeringIceOf, iceConnectionOf, iceCredentialsOf, setSrtpProfiles } from './werift/shapes.js';
import { shareOptionShapes } from './werift/shareOptionShapes.js';
import { trimFinishedHandshake } from './werift/trimHandshake.js';
import { registerIceCredentials } from './werift/udpMux/registerIce.js';
import { unpoolHandshake } from './werift/unpoolHandshake.js';
import { fastSrtpOf, installFastSrtp } from './werift/weriftSrtp.js';

/** Why a transport closed. */
export type TransportCloseReason = 'closed' | 'replaced' | 'failed' | 'timeout' | 'inactive' | 'routerClosed';

/** Deadlines of a transport. */
export interface TransportTimeouts {
  /** From creation to connected. */
  connectMs: number;
  /** Without any STUN request, RTP or RTCP from the peer, once connected. */
  inactivityMs: number;
}

/** Events of a transport. */
export interface TransportEvents {
  /** The peer connection's state changed (`connecting`, `connected`, `disconnected`, ...). */
  connectionStateChange: [state: string];
  /** DTLS is up: media flows from now on. */
  connected: [];
  close: [reason: TransportCloseReason];
}

/** Where a transport learns of the STUN requests its peer sends (see {@link createPeer}). */
export interface StunProbe {
  onRequest: () => void;
}

/**
 * A werift peer connection whose incoming STUN requests (the peer's ICE checks and, once connected, its
 * consent-freshness checks every 4 to 6 s, RFC 7675) are reported to `probe`: the liveness signal of an
 * ICE-lite agent.
 */
export function createPeer(config: Partial<PeerConfig>): { pc: RTCPeerConnection; probe: StunProbe } {
  const probe: StunProbe = { onRequest: () => {} };
  const pc = new RTCPeerConnection({
    ...config,
    iceFilterStunResponse: () => {
      probe.onRequest();
      return true;
    },
  });
  return { pc, probe };
}

/**
 * The SRTP profiles the SFU accepts, in its order of preference: as DTLS server it picks the first one the
 * client offers (werift's `findMatchingSRTPProfile`). AES_CM_128_HMAC_SHA1_80, WebRTC's mandatory profile
 * (RFC 8827 §6.5), costs less per packet here than AEAD_AES_128_GCM, whose tag needs GHASH in JavaScript
 * (see @parley/rtp's srtp/ghash.ts): bench/README.md has the figures. GCM serves clients that offer only GCM.
 */
const SRTP_PROFILE_PREFERENCE = [SRTP_AES128_CM_HMAC_SHA1_80, SRTP_AEAD_AES_128_GCM];

let nextTransportId = 1;

/**
 * Resolves once Node has released the handles closed so far. werift's close awaits each dgram socket's 'close'
 * event, which Node emits on the next tick after asking libuv to close the handle; libuv frees it, and Node
 * drops it from `process.getActiveResourcesInfo()`, only in the loop's close phase, which comes after the check
 * phase (setImmediate). Two setImmediate turns put a whole close phase behind us, whichever phase we start in.
 */
export function handlesReleased(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The base of {@link PublisherTransport} and {@link SubscriberTransport}. */
export abstract class Transport extends TypedEmitter<TransportEvents> {
  readonly id = `transport-${nextTransportId++}`;
  /** The caller's opaque key (a stream key for publishers, a player key for players). */
  readonly key: string;
  abstract readonly direction: 'publish' | 'play';
  protected readonly pc: RTCPeerConnection;
  private connectTimer: NodeJS.Timeout | null;
  private lastActivity = 0;
  /** This transport as the router's inactivity sweep sees it (watched once connected). */
  private readonly watched: Watched = {
    lastActivity: () => this.lastActivity,
    expire: () => void this.close('inactive'),
  };
  private closing: Promise<void> | null = null;
  private closeReason: TransportCloseReason | null = null;
  private readonly unsubscribers: (() => void)[] = [];
  /** Both descriptions are applied ({@link negotiationSettled}); the transport never negotiates again. */
  private negotiated = false;

  protected constructor(
    key: string,
    peer: { pc: RTCPeerConnection; probe: StunProbe },
    timeouts: TransportTimeouts,
    private readonly inactivity: InactivitySweep,
  ) {
    super();
    this.key = key;
    this.pc = peer.pc;
    peer.probe.onRequest = () => this.touch();
    const pc = peer.pc;
    this.connectTimer = setTimeout(() => void this.close('timeout'), timeouts.connectMs);
    this.connectTimer.unref();
    const sub = pc.connectionStateChange.subscribe((state) => this.handleState(state));
    this.unsubscribers.push(sub.unSubscribe);
  }

  /** The peer connection's state. */
  get connectionState(): string {
    return this.pc.connectionState;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Why it closed, or null while open. */
  get closedBecause(): TransportCloseReason | null {
    return this.closeReason;
  }

  /** Statistics of this transport and its streams. */
  async getStats(): Promise<TransportStats> {
    const remote = this.closed
      ? { rtt: null, lostBySsrc: new Map<number, number>() }
      : await this.remoteStats();
    const streams = this.streamStats();
    // Loss towards a player is only known from its receiver reports.
    if (this.direction === 'play') {
      for (const s of streams) s.packetsLost = remote.lostBySsrc.get(s.ssrc) ?? 0;
    }
    return transportStats(this.key, this.direction, this.pc.connectionState, remote.rtt, streams);
  }

  /**
   * Closes the children (producers or consumers), then the peer connection. Idempotent: every call returns
   * the same promise, resolved once werift has closed its sockets and Node has released their handles (they
   * are gone from `process.getActiveResourcesInfo()`; see {@link handlesReleased}).
   */
  close(reason: TransportCloseReason = 'closed'): Promise<void> {
    if (this.closing) return this.closing;
    this.closeReason = reason;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.inactivity.unwatch(this.watched);
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.closeChildren();
    this.closing = this.pc
      .close()
      .catch(() => {
        // werift failed while tearing down; the sockets are gone either way.
      })
      .then(handlesReleased);
    this.emit('close', reason);
    this.removeAllListeners();
    return this.closing;
  }

  /**
   * The SRTP protection profile, once every DTLS transport of the peer connection protects its media with
   * the SFU's own SRTP contexts (see werift/weriftSrtp.ts); null before DTLS is up, or while werift's own
   * contexts do the work.
   */
  get fastSrtpProfile(): 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM' | null {
    const fast = this.dtlsTransports().map((dtls) => fastSrtpOf(dtls));
    const first = fast[0];
    if (!first || fast.some((f) => f === null)) return null;
    return first.local.profile === SRTP_AEAD_AES_128_GCM ? 'AEAD_AES_128_GCM' : 'AES_CM_128_HMAC_SHA1_80';
  }

  /**
   * Switches the peer connection's DTLS transports to the SFU's SRTP contexts when they connect. Called by
   * the subclasses once the descriptions are applied (the DTLS transports exist, the handshake is ahead).
   */
  protected useFastSrtp(): void {
    for (const dtls of this.dtlsTransports()) {
      // Read when the handshake starts (after the descriptions).
      setSrtpProfiles(dtls, SRTP_PROFILE_PREFERENCE);
      this.unsubscribers.push(installFastSrtp(dtls));
    }
  }

  /**
   * Takes what the peer sends of one kind from the UDP mux past werift's receiving pipeline, once DTLS is up with
   * the SFU's SRTP contexts: a publisher's RTP (werift/receiveInMux.ts), a player's receiver reports
   * (werift/reportsInMux.ts). Called by the transport with its ICE agent prepared.
   */
  protected receiveInMux(Receiver: InMuxReceiverClass): void {
    for (const dtls of this.dtlsTransports()) {
      this.unsubscribers.push(installInMux(this.pc, dtls, () => this.touch(), Receiver));
    }
  }

  /**
   * Makes the ICE-lite agent follow the peer's newest nomination (werift/followNomination.ts), connect on the
   * peer's first valid check (werift/connectOnFirstCheck.ts), keep a DTLS ClientHello that arrives before the
   * DTLS server starts (werift/earlyDtls.ts), answer the checks of the nominated pair in the UDP mux
   * (werift/answerChecks.ts), and registers its local ufrags with the node's UDP mux
   * (werift/udpMux/registerIce.ts). Called by the subclasses once the SFU's own description is set (its ICE
   * transports and ufrags exist), before the peer has it and can check.
   */
  protected prepareIceAgent(): void {
    for (const dtls of this.dtlsTransports()) {
      const connection = iceConnectionOf(dtls);
      followLatestNomination(connection);
      registerIceCredentials(iceCredentialsOf(dtls));
      connectOnFirstCheck(dtls);
      this.unsubscribers.push(
        keepEarlyDtls(dtls),
        answerChecksInMux(answeringIceOf(dtls), () => this.touch()),
      );
    }
  }

  /**
   * Called by the subclasses once the offer and the answer are both applied: a transport negotiates once, so
   * what werift keeps of the descriptions can go when it is also connected (werift/dropDescriptions.ts).
   */
  protected negotiationSettled(): void {
    this.negotiated = true;
    if (this.pc.connectionState === 'connected') dropNegotiatedDescriptions(this.pc);
  }

  /** The peer connection's DTLS transports (one with max-bundle). */
  protected dtlsTransports(): RTCDtlsTransport[] {
    return [...new Set(this.pc.getTransceivers().map((t) => t.dtlsTransport))];
  }

  /** Closes producers or consumers. */
  protected abstract closeChildren(): void;

  /** Per-stream statistics. */
  protected abstract streamStats(): RtpStreamStats[];

  /** Called once when DTLS is connected. */
  protected abstract onConnected(): void;

  private handleState(state: string): void {
    if (this.closing) return;
    this.emit('connectionStateChange', state);
    if (state === 'connected' && this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.startWatchdog();
      for (const dtls of this.dtlsTransports()) {
        // First what the finished handshake no longer needs goes, then what stays leaves the shared pool.
        trimFinishedHandshake(dtls);
        unpoolHandshake(dtls);
      }
      // The connection's werift events are all made by now; their closures are most of its idle heap.
      leanEventsUnder(this.pc, (value) => value instanceof RTCPeerConnection && value !== this.pc);
      shareOptionShapes(this.pc);
      // A player's answer may still be being applied when its DTLS connects: then setAnswer drops them.
      if (this.negotiated) dropNegotiatedDescriptions(this.pc);
      this.onConnected();
      this.emit('connected');
    } else if (state === 'failed' || state === 'closed') {
      void this.close(state === 'failed' ? 'failed' : 'closed');
    }
  }

  private touch(): void {
    this.lastActivity = performance.now();
  }

  /**
   * An ICE-lite agent sends no consent checks of its own, so werift never notices a peer that vanished
   * without a DTLS close. The peer's STUN consent checks, RTP and RTCP prove it alive; the router's
   * {@link InactivitySweep} closes the transport when they stop.
   */
  private startWatchdog(): void {
    this.touch();
    const touch = (): void => this.touch();
    for (const dtls of this.dtlsTransports()) {
      this.unsubscribers.push(
        dtls.onRtp.subscribe(touch).unSubscribe,
        dtls.onRtcp.subscribe(touch).unSubscribe,
      );
    }
    this.inactivity.watch(this.watched);
  }

  /**
   * From werift's report: the RTT in seconds (RTCP receiver reports first, else ICE checks, which an ICE-lite
   * agent rarely has) and the loss each remote receiver reported, by our SSRC.
   */
  private async remoteStats(): Promise<{ rtt: number | null; lostBySsrc: Map<number, number> }> {
    const report = await this.pc.getStats();
    let rtcp: number | null = null;
    let ice: number | null = null;
    const lostBySsrc = new Map<number, number>();
    for (const stat of report.values()) {
      const s = stat as {
        type: string;
        ssrc?: number;
        packetsLost?: number;
        roundTripTime?: number;
        currentRoundTripTime?: number;
        nominated?: boolean;
      };
      if (s.type === 'remote-inbound-rtp') {
        if (typeof s.roundTripTime === 'number') rtcp = Math.max(rtcp ?? 0, s.roundTripTime);
        if (typeof s.ssrc === 'number' && typeof s.packetsLost === 'number')
          lostBySsrc.set(s.ssrc, s.packetsLost);
      } else if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
        ice = s.currentRoundTripTime;
      }
    }
    return { rtt: rtcp ?? ice, lostBySsrc };
  }
}
