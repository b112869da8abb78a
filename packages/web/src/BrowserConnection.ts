/**
 * What the browser's publish and play connections share: one RTCPeerConnection to the SFU configured with the
 * server's STUN URL and its TURN servers as the only ICE servers, the engine's transport policy, max-bundle,
 * rtcp-mux; complete (non-trickle) local descriptions; `connected` / `failed` from the connection state; TURN
 * servers' errors as `iceServerError`; and reading the round-trip time from the stats.
 */
import type { ConnectionInfo, MediaConnectionEvents } from '@parley/engine';
import { ErrorCode, type EventMap, ParleyError, TypedEmitter } from '@parley/protocol';

/** How long to wait for a first candidate before the description is sent without one. */
export const GATHER_TIMEOUT_MS = 3000;
/** A connection `disconnected` this long (consent checks unanswered) is given up as failed. */
export const DISCONNECTED_GRACE_MS = 5000;

/**
 * The server's STUN URLs and TURN servers, checked (a malformed entry would make RTCPeerConnection throw), and
 * the transport policy: `relay` sends media only through the TURN servers.
 */
export function peerConfiguration(info: ConnectionInfo): RTCConfiguration {
  const iceServers: RTCIceServer[] = [];
  for (const entry of Array.isArray(info.iceServers) ? info.iceServers : []) {
    const urls = Array.isArray(entry?.urls)
      ? entry.urls.filter((u) => typeof u === 'string' && /^(stuns?|turns?):/i.test(u))
      : [];
    const turn = urls.filter((u) => /^turns?:/i.test(u));
    const stun = urls.filter((u) => /^stuns?:/i.test(u));
    if (stun.length > 0) iceServers.push({ urls: stun });
    // A browser refuses a TURN URL without credentials outright.
    if (turn.length > 0 && typeof entry.username === 'string' && typeof entry.credential === 'string')
      iceServers.push({ urls: turn, username: entry.username, credential: entry.credential });
  }
  const relay = info.iceTransportPolicy === 'relay' && iceServers.some((s) => s.username !== undefined);
  return {
    iceServers,
    iceTransportPolicy: relay ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
}

/**
 * @example
 * class Conn extends BrowserConnection<MediaConnectionEvents> { … }
 */
export abstract class BrowserConnection<
  E extends EventMap<E> & MediaConnectionEvents,
> extends TypedEmitter<E> {
  protected readonly pc: RTCPeerConnection;
  protected closed = false;
  private everConnected = false;
  private disconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onState = () => this.connectionStateChanged();
  private readonly onCandidateError = (ev: Event) =>
    this.candidateError(ev as RTCPeerConnectionIceErrorEvent);

  /** `onClosed` runs once when the connection closes (the backend forgets it). */
  constructor(
    info: ConnectionInfo,
    private readonly onClosed: () => void = () => {},
  ) {
    super();
    if (typeof RTCPeerConnection !== 'function') {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'this browser has no WebRTC (RTCPeerConnection)');
    }
    this.pc = new RTCPeerConnection(peerConfiguration(info));
    this.pc.addEventListener('connectionstatechange', this.onState);
    this.pc.addEventListener('icecandidateerror', this.onCandidateError);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearDisconnectTimer();
    this.pc.removeEventListener('connectionstatechange', this.onState);
    this.pc.removeEventListener('icecandidateerror', this.onCandidateError);
    this.onClose();
    this.pc.close();
    this.removeAllListeners();
    this.onClosed();
  }

  /** Subclasses release their own resources here (timers, tracks). */
  protected abstract onClose(): void;

  protected checkOpen(): void {
    if (this.closed) throw new Error('the connection is closed');
  }

  /**
   * Sets the local description of `type` and returns it once it holds a UDP candidate (or gathering ended, or
   * after {@link GATHER_TIMEOUT_MS}): the SFU takes no trickled candidates.
   */
  protected async completeLocalDescription(type: 'offer' | 'answer'): Promise<string> {
    const description = type === 'offer' ? await this.pc.createOffer() : await this.pc.createAnswer();
    this.checkOpen();
    await this.pc.setLocalDescription(description);
    this.checkOpen();
    await firstCandidate(this.pc, GATHER_TIMEOUT_MS);
    this.checkOpen();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error('the browser produced no local description');
    return sdp;
  }

  /** The selected candidate pair's round-trip time in ms, from the ICE consent checks. */
  protected static iceRoundTripMs(report: RTCStatsReport): number | undefined {
    let pairId: string | undefined;
    for (const s of report.values()) {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
        pairId = s.selectedCandidatePairId;
    }
    for (const s of report.values()) {
      if (s.type !== 'candidate-pair') continue;
      const selected =
        pairId !== undefined ? s.id === pairId : s.nominated === true && s.state === 'succeeded';
      if (selected && typeof s.currentRoundTripTime === 'number') return s.currentRoundTripTime * 1000;
    }
    return undefined;
  }

  private connectionStateChanged(): void {
    if (this.closed) return;
    const state = this.pc.connectionState;
    if (state === 'connected') {
      this.clearDisconnectTimer();
      if (!this.everConnected) {
        this.everConnected = true;
        this.emitEvent('connected');
      }
    } else if (state === 'failed') {
      this.fail('the peer connection failed');
    } else if (state === 'disconnected') {
      // ICE may recover by itself (consent checks answered again); the core retries only when it does not.
      this.disconnectTimer ??= setTimeout(
        () => this.fail(`disconnected for ${DISCONNECTED_GRACE_MS} ms`),
        DISCONNECTED_GRACE_MS,
      );
    }
  }

  /** A TURN server refused the credentials (401) or did not answer (701): the engine decides what follows. */
  private candidateError(ev: RTCPeerConnectionIceErrorEvent): void {
    if (this.closed || typeof ev.url !== 'string' || !/^turns?:/i.test(ev.url)) return;
    this.emitEvent('iceServerError', { url: ev.url, code: ev.errorCode, text: ev.errorText });
  }

  private fail(reason: string): void {
    this.clearDisconnectTimer();
    if (!this.closed) this.emitEvent('failed', reason);
  }

  private clearDisconnectTimer(): void {
    if (this.disconnectTimer !== null) clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
  }

  /** Emits one of the events every media connection has (the subclass's map extends them). */
  private emitEvent<K extends keyof MediaConnectionEvents>(
    event: K,
    ...args: MediaConnectionEvents[K]
  ): void {
    (this as unknown as TypedEmitter<MediaConnectionEvents>).emit(event, ...args);
  }
}

/**
 * Resolves once `pc` has a UDP candidate in its description (or finished gathering, or after `timeoutMs`).
 * The SFU is an ICE-lite agent: it never checks our candidates, it answers the checks we send, so one candidate
 * is all the description needs — waiting for the rest (Chromium's TCP candidates take ~120 ms) only delays
 * the call.
 */
function firstCandidate(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  const ready = () =>
    pc.iceGatheringState === 'complete' || /^a=candidate:\S+ \d+ udp /im.test(pc.localDescription?.sdp ?? '');
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      pc.removeEventListener('icecandidate', check);
      resolve();
    };
    const check = () => {
      if (ready()) done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', check);
  });
}
