/**
 * The werift configuration of the Node SDK's peer connections: the server's STUN URLs and its TURN server and
 * nothing else, the engine's transport policy (every path, or relay only), one bundled transport, the codecs
 * the SFU forwards, and loopback-only candidates when the server is on loopback.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { IceServer, IceTransportPolicy } from '@parley/engine';
import { ErrorCode, OPUS, ParleyError, vp8 } from '@parley/protocol';
import { type PeerConfig, RTCRtpCodecParameters } from 'werift';

/** Options of the backend that shape every connection's ICE. */
export interface ClientIceOptions {
  /**
   * Host candidate addresses to announce instead of werift's interface scan (e.g. `['10.0.0.5']`). Default:
   * `['127.0.0.1']` when the signaling URL's host is a loopback address, else werift's scan of the interfaces.
   */
  hostAddresses?: string[] | undefined;
  /**
   * TLS options for `turns:` servers (e.g. `{ ca }` for a certificate of a private CA). Default Node's: the
   * server's certificate must be valid for the URL's host and signed by a CA Node trusts.
   */
  turnTls?: TlsConnectionOptions | undefined;
}

/**
 * The codecs the Node SDK sends and receives, as the SFU's `sfuCodecs()` offers them (its H264 left out: Node
 * has no H264 source or depacketizer). Video gets NACK, PLI and FIR feedback.
 */
export function clientCodecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return { audio: [new RTCRtpCodecParameters({ ...OPUS })], video: [new RTCRtpCodecParameters(vp8())] };
}

/** True for 127.0.0.0/8, ::1, `localhost` and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Checks the ICE servers the engine gives a connection. werift falls back to a public STUN server whenever its
 * `iceServers` hold no STUN URL — even `[]` (werift/lib/ice/src/ice.js, `applyStunTurnServersFromOptions`) — and
 * a full ICE agent like ours then sends it binding requests. So a connection without a STUN URL from the server
 * is refused instead, TURN servers or not.
 */
export function checkIceServers(iceServers: unknown): IceServer[] {
  if (!Array.isArray(iceServers) || !iceServers.every(isIceServer)) {
    throw new TypeError('iceServers must be a list of { urls: string[], username?, credential? }');
  }
  if (!iceServers.some((s) => s.urls.some((u) => /^stuns?:[^?]+/i.test(u.trim())))) {
    throw ParleyError.of(
      ErrorCode.INPUT_PARAMETER,
      'the server offered no STUN URL (iceServers has none); refusing to let werift fall back to a public STUN server',
    );
  }
  return iceServers.map((s) => ({ ...s, urls: [...s.urls] }));
}

function isIceServer(value: unknown): value is IceServer {
  if (typeof value !== 'object' || value === null) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  return (
    Array.isArray(urls) &&
    urls.every((u) => typeof u === 'string') &&
    (username === undefined || typeof username === 'string') &&
    (credential === undefined || typeof credential === 'string')
  );
}

/**
 * The TURN server werift will use: the first `turn:`/`turns:` URL with credentials (werift takes one TURN
 * server, the first it can parse), or null.
 */
export function turnServerOf(
  iceServers: readonly IceServer[],
): { url: string; username: string; credential: string } | null {
  for (const s of iceServers) {
    if (s.username === undefined || s.credential === undefined) continue;
    const url = s.urls.find((u) => /^turns?:/i.test(u.trim()));
    if (url !== undefined) return { url, username: s.username, credential: s.credential };
  }
  return null;
}

/** The host of a signaling URL, or null if it is not a URL. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** The peer configuration of one connection to the SFU at `serverUrl`. */
export function clientPeerConfig(
  info: { iceServers: unknown; iceTransportPolicy?: unknown; serverUrl: string },
  options: ClientIceOptions = {},
): Partial<PeerConfig> {
  const iceServers = checkIceServers(info.iceServers);
  const policy = (info.iceTransportPolicy ?? 'all') as IceTransportPolicy;
  if (policy !== 'all' && policy !== 'relay')
    throw new TypeError("iceTransportPolicy must be 'all' or 'relay'");
  const turn = turnServerOf(iceServers);
  if (policy === 'relay' && turn === null) {
    throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'relay only needs a TURN server with credentials');
  }
  const stun = iceServers.flatMap((s) => s.urls.filter((u) => /^stuns?:/i.test(u.trim())));
  // `all` is the direct path: werift is given no TURN server then. It gathers inside setLocalDescription and
  // waits for its TURN allocation there — seconds when the server is unreachable or refuses the credentials
  // (see turnProbe.ts) — and would allocate a relay on every connection. The engine asks for `relay` once the
  // direct path failed; the credentials are checked apart (WeriftConnection), so a wrong secret still shows.
  const relay = policy === 'relay' && turn !== null;
  const config: Partial<PeerConfig> = {
    iceServers: [
      ...stun.map((url) => ({ urls: url })),
      ...(relay ? [{ urls: turn.url, username: turn.username, credential: turn.credential }] : []),
    ],
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
    // werift gathers no host or reflexive candidate for `relay` (its `forceTurn`).
    iceTransportPolicy: policy,
    iceUseTcp: false,
    turnTlsOptions: options.turnTls,
    codecs: clientCodecs(),
    // The SFU negotiates no header extensions; offering none keeps the SDP and the packets plain.
    headerExtensions: { audio: [], video: [] },
  };
  let hosts = options.hostAddresses;
  if (hosts !== undefined && (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every((a) => isIP(a)))) {
    throw new TypeError('hostAddresses must be a non-empty list of IP addresses');
  }
  const host = hostOf(info.serverUrl);
  const loopback = host !== null && isLoopbackHost(host);
  if (hosts === undefined && loopback) hosts = ['127.0.0.1'];
  if (hosts !== undefined) {
    config.iceUseIpv4 = false;
    config.iceUseIpv6 = false;
    config.iceAdditionalHostAddresses = [...hosts];
    // On loopback the socket is bound to it too, so nothing listens on the machine's other interfaces.
    if (loopback && hosts.every((a) => a.startsWith('127.')))
      config.iceInterfaceAddresses = { udp4: '127.0.0.1' };
  }
  return config;
}
