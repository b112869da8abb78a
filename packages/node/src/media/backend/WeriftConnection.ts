/**
 * What publish and play connections share: one werift peer connection configured for the SFU, complete
 * (non-trickle) local descriptions, `connected` / `failed` from the connection state with a grace period for
 * `disconnected`, the round-trip time werift measures, and an idempotent close.
 */
import type { ConnectionInfo, EngineLogger, MediaConnectionEvents } from '@parley/engine';
import { type EventMap, TypedEmitter } from '@parley/protocol';
import { RTCPeerConnection, type RTCStatsReport } from 'werift';
import { guarded, logListenerErrors } from '../../guarded.js';
import { type ClientIceOptions, clientPeerConfig, turnServerOf } from './clientPeerConfig.js';
import { startDtlsWithoutDelay } from './dtlsStart.js';
import { dtlsTransportsOf } from './dtlsTransports.js';
import { lengthenIceChecks } from './iceCheckBudget.js';
import { useParleySrtp } from './parleySrtp.js';
import { probeTurn, type TurnChecks, type TurnProbeResult } from './turnProbe.js';

/** Options every connection of a backend gets. */
export interface ConnectionOptions {
  ice: ClientIceOptions;
  /**
   * A connection `disconnected` this long is failed, and so is one that has heard nothing (RTP, RTCP) from
   * the SFU this long after having heard from it; default 5000 ms.
   */
  disconnectedTimeoutMs: number;
  /** Where the connection logs what its timers and werift's events threw (the connection fails instead). */
  log: EngineLogger;
  /** Called once when the connection closes (the backend forgets it). */
  onClose?: (() => void) | undefined;
  /** The backend's checks of TURN credentials, shared by its connections; default one probe per connection. */
  turnChecks?: TurnChecks | undefined;
}

/** Round-trip times werift knows, in ms. */
export interface RoundTrip {
  /** From RTCP: our sender reports and the SFU's receiver reports (LSR/DLSR); publish side only. */
  rtcpMs?: number;
  /** From the ICE agent's connectivity and consent checks to the SFU. */
  iceMs?: number;
}

/** One end of an ICE candidate pair, as werift's statistics describe it. */
export interface CandidateInfo {
  /** `host`, `srflx`, `prflx` or `relay`. */
  candidateType: string;
  address: string;
  port: number;
  protocol: string;
}

/** A TURN server with credentials, and the local address to reach it from. */
type TurnEndpoint = NonNullable<ReturnType<typeof turnServerOf>> & { localAddress?: string | undefined };

let nextConnectionId = 1;

/**
 * Resolves once Node has released the handles closed so far. werift's close awaits each dgram socket's 'close'
 * event, which Node emits on the next tick after asking libuv to close the handle; libuv frees it, and Node
 * drops it from `process.getActiveResourcesInfo()`, only in the loop's close phase, which comes after the check
 * phase (setImmediate). Two setImmediate turns put a whole close phase behind us, whichever phase we start in.
 * (The SFU's Transport waits the same way.)
 */
function handlesReleased(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The base of {@link WeriftPublishConnection} and {@link WeriftPlayConnection}. */
export abstract class WeriftConnection<
  E extends EventMap<E> & MediaConnectionEvents,
> extends TypedEmitter<E> {
  readonly id = `conn-${nextConnectionId++}`;
  readonly streamID: string;
  protected readonly pc: RTCPeerConnection;
  private readonly options: ConnectionOptions;
  private readonly pcUnsubscribers: (() => void)[] = [];
  private disconnectTimer: NodeJS.Timeout | null = null;
  /** The connection's one periodic timer, from connected to close. */
  private ticker: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  /** performance.now() of the last RTP or RTCP packet from the SFU; null before the first. */
  private lastHeardAt: number | null = null;
  private wasConnected = false;
  private _closed = false;
  private releasing: Promise<void> | null = null;
  protected readonly log: EngineLogger;
  /** The connection's TURN server, and the local address the TURN client's UDP socket binds to. */
  private readonly turn: TurnEndpoint | null;
  /** werift was given the TURN server and gathers relay candidates only. */
  private readonly relayOnly: boolean;

  /** Throws (ParleyError 1100001) if the server gave no STUN URL: see {@link clientPeerConfig}. */
  protected constructor(
    info: Pick<ConnectionInfo, 'streamID' | 'iceServers' | 'iceTransportPolicy' | 'serverUrl'>,
    options: ConnectionOptions,
    tickMs: number,
  ) {
    super(logListenerErrors(options.log, `the media connection of ${info.streamID}`));
    this.streamID = info.streamID;
    this.options = options;
    this.log = options.log;
    this.tickMs = tickMs;
    const config = clientPeerConfig(info, options.ice);
    const turn = turnServerOf(info.iceServers);
    this.turn = turn && { ...turn, localAddress: config.iceInterfaceAddresses?.udp4 };
    this.relayOnly = config.iceTransportPolicy === 'relay';
    this.pc = new RTCPeerConnection(config);
    // On the direct path werift is given no TURN server (see clientPeerConfig): the credentials are checked
    // apart, once per backend, so that a TURN server refusing them is reported all the same.
    if (this.turn && !this.relayOnly) this.checkTurn(this.turn, options.turnChecks);
    const states = this.pc.connectionStateChange.subscribe(
      this.guard('its connection state handler', (state: string) => this.handleState(state)),
    );
    const ice = this.pc.iceConnectionStateChange.subscribe(
      this.guard('its ICE state handler', (state: string) => {
        if (state === 'connected' || state === 'completed') this.clearDisconnectTimer();
        else if (state === 'disconnected') this.startDisconnectTimer();
      }),
    );
    this.pcUnsubscribers.push(states.unSubscribe, ice.unSubscribe);
  }

  get closed(): boolean {
    return this._closed;
  }

  /** True once ICE and DTLS have connected. */
  get connected(): boolean {
    return this.wasConnected && !this._closed;
  }

  /**
   * After close(): resolves once werift has closed the sockets and Node has released their handles (they are
   * gone from `process.getActiveResourcesInfo()`, see {@link handlesReleased}). Before close(): resolved.
   */
  get released(): Promise<void> {
    return this.releasing ?? Promise.resolve();
  }

  /** Stops the media and releases the peer connection, its sockets and timers. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.clearDisconnectTimer();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    for (const unsubscribe of this.pcUnsubscribers) unsubscribe();
    this.onClose();
    this.releasing = this.pc
      .close()
      .catch(() => {
        // werift failed while tearing down; the sockets are gone either way.
      })
      .then(handlesReleased);
    this.options.onClose?.();
    this.removeAllListeners();
  }

  /** Called once when the peer connection is connected: start the media. */
  protected abstract onConnected(): void;

  /** Called once by close(), before the peer connection closes: stop the media and timers. */
  protected abstract onClose(): void;

  /** Called every `tickMs` while connected. */
  protected onTick(_now: number): void {}

  /**
   * `fn` made safe for a timer or a werift event (see guarded.ts): what it throws is logged and fails the
   * connection, which the engine reports (publisher or player state) and retries, as for a network failure.
   */
  protected guard<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    return guarded(this.log, `the media connection of ${this.streamID}: ${what}`, fn, (error) =>
      this.fail(`${what} threw: ${error.message}`),
    );
  }

  /** Emits `failed` once and closes. */
  protected fail(reason: string): void {
    if (this._closed) return;
    (this as unknown as TypedEmitter<MediaConnectionEvents>).emit('failed', reason);
    this.close();
  }

  /** Sets the local description and returns it once every candidate is in it (non-trickle). */
  protected async completeLocalDescription(type: 'offer' | 'answer'): Promise<string> {
    const description = type === 'offer' ? await this.pc.createOffer() : await this.pc.createAnswer();
    lengthenIceChecks(this.pc, this.log);
    await this.pc.setLocalDescription(description);
    this.pcUnsubscribers.push(
      ...startDtlsWithoutDelay(this.pc, this.log),
      ...useParleySrtp(this.pc, this.log),
    );
    // werift gathers inside setLocalDescription; wait anyway should a later version return earlier.
    if (this.pc.iceGatheringState !== 'complete') {
      await this.pc.iceGatheringStateChange.watch((state) => state === 'complete');
    }
    this.checkOpen();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error(`werift produced no ${type}`);
    if (this.turn && this.relayOnly && !/^a=candidate:.* typ relay/m.test(sdp)) this.checkTurn(this.turn);
    return sdp;
  }

  /**
   * The nominated ICE candidate pair, from werift's statistics: whether media goes directly (`host`) or through
   * a TURN server (`relay`); null before ICE has chosen one, or once closed.
   */
  async selectedCandidates(): Promise<{ local: CandidateInfo; remote: CandidateInfo } | null> {
    const report = await this.report();
    if (!report) return null;
    const stats = [...report.values()] as unknown as Record<string, unknown>[];
    const pair = stats.find((s) => s['type'] === 'candidate-pair' && s['nominated'] === true);
    if (!pair) return null;
    const candidate = (id: unknown): CandidateInfo | null => {
      const s = stats.find((c) => c['id'] === id);
      if (!s) return null;
      return {
        candidateType: String(s['candidateType']),
        address: String(s['address']),
        port: Number(s['port']),
        protocol: String(s['protocol']),
      };
    };
    const local = candidate(pair['localCandidateId']);
    const remote = candidate(pair['remoteCandidateId']);
    return local && remote ? { local, remote } : null;
  }

  /**
   * Asks the TURN server whether it takes the credentials (see turnProbe.ts: werift cannot tell why it got no
   * relay candidate) and reports a refusal or silence as `iceServerError`, as a browser's `icecandidateerror`
   * would. With `checks`, the answer is shared with the backend's other connections.
   */
  private checkTurn(turn: TurnEndpoint, checks?: TurnChecks): void {
    const { url, username, credential, localAddress } = turn;
    const result: Promise<TurnProbeResult> = checks
      ? checks.check(url, username, credential, localAddress)
      : probeTurn(url, username, credential, { tls: this.options.ice.turnTls, localAddress });
    result
      .then((r) => {
        if (r.ok || this._closed) return;
        const error = { url, code: r.code, text: r.text };
        (this as unknown as TypedEmitter<MediaConnectionEvents>).emit('iceServerError', error);
      })
      .catch(() => {
        // The probe reports what it can; a failure of its own leaves the connection as it is.
      });
  }

  protected checkOpen(): void {
    if (this._closed) throw new Error(`the media connection of ${this.streamID} is closed`);
  }

  /** werift's statistics report, or null once closed. */
  protected async report(): Promise<RTCStatsReport | null> {
    if (this._closed) return null;
    try {
      return await this.pc.getStats();
    } catch {
      return null;
    }
  }

  /** The round-trip times in `report`: RTCP (per sender, the largest) and the nominated ICE pair's. */
  protected roundTrip(report: RTCStatsReport | null): RoundTrip {
    const out: RoundTrip = {};
    if (!report) return out;
    for (const stat of report.values()) {
      const s = stat as {
        type: string;
        roundTripTime?: number;
        currentRoundTripTime?: number;
        nominated?: boolean;
      };
      if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number') {
        // werift measures with Date.now(): 1 ms resolution, and a loopback RTT may come out slightly negative.
        out.rtcpMs = Math.max(out.rtcpMs ?? 0, s.roundTripTime * 1000, 0);
      } else if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
        out.iceMs = s.currentRoundTripTime * 1000;
      }
    }
    return out;
  }

  private handleState(state: string): void {
    if (this._closed) return;
    if (state === 'connected') {
      this.clearDisconnectTimer();
      if (this.wasConnected) return;
      this.wasConnected = true;
      this.startTicker();
      this.onConnected();
      (this as unknown as TypedEmitter<MediaConnectionEvents>).emit('connected');
    } else if (state === 'disconnected') {
      this.startDisconnectTimer();
    } else if (state === 'failed') {
      this.fail(this.wasConnected ? 'ICE or DTLS failed (consent lost)' : 'ICE or DTLS failed to connect');
    } else if (state === 'closed') {
      this.fail('the peer connection was closed by the remote side');
    }
  }

  /**
   * Starts the silence clock now if nothing was heard yet. A publisher calls it with its first packet: the SFU
   * answers media with receiver reports (werift's receiver, 0.5–1.5 s after its first packet), so from then on
   * silence means the SFU is gone. Before the SFU kept keyframes for joining players, each player's start sent
   * the publisher a PLI, which happened to start the clock; a publisher whose players all started from the
   * SFU's cache heard nothing before its path broke, and never noticed.
   */
  protected startSilenceClock(): void {
    this.lastHeardAt ??= performance.now();
  }

  /**
   * How long the SFU may stay silent before it counts as gone, given `disconnectedTimeoutMs`: that, unless the
   * connection knows the SFU may leave longer gaps (a player of audio only: {@link WeriftPlayConnection}).
   */
  protected silenceBoundMs(disconnectedTimeoutMs: number): number {
    return disconnectedTimeoutMs;
  }

  /**
   * werift sends no DTLS close alert and notices a vanished peer only when ICE consent expires (30 s, then
   * straight to `failed`). Once media flows the SFU sends RTCP even while no media comes: receiver reports to
   * a publisher every 0.5–1.5 s, sender reports to a player (@parley/protocol's reports.ts). So silence from
   * it past {@link silenceBoundMs} means it is gone.
   */
  private startTicker(): void {
    const heard = this.guard('its packet clock', () => {
      this.lastHeardAt = performance.now();
    });
    for (const dtls of dtlsTransportsOf(this.pc)) {
      this.pcUnsubscribers.push(
        dtls.onRtp.subscribe(heard).unSubscribe,
        dtls.onRtcp.subscribe(heard).unSubscribe,
      );
    }
    this.ticker = setInterval(
      this.guard('its timer', () => {
        if (this._closed) return;
        const now = performance.now();
        const silence = this.lastHeardAt === null ? 0 : now - this.lastHeardAt;
        if (silence > this.silenceBoundMs(this.options.disconnectedTimeoutMs)) {
          this.fail(`nothing heard from the SFU for ${Math.round(silence)} ms`);
          return;
        }
        this.onTick(now);
      }),
      this.tickMs,
    );
    this.ticker.unref();
  }

  private startDisconnectTimer(): void {
    if (this.disconnectTimer || this._closed) return;
    const ms = this.options.disconnectedTimeoutMs;
    this.disconnectTimer = setTimeout(
      this.guard('its disconnect timer', () => {
        this.disconnectTimer = null;
        this.fail(`disconnected for more than ${ms} ms`);
      }),
      ms,
    );
    this.disconnectTimer.unref();
  }

  private clearDisconnectTimer(): void {
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
  }
}
