/**
 * The werift configuration of every SFU peer connection: ICE-lite on the announced addresses only,
 * DTLS-SRTP, max-bundle, rtcp-mux, and the codecs the SFU forwards.
 */
import { isIP, isIPv4 } from 'node:net';
import { h264, OPUS, vp8 } from '@parley/protocol';
import { type PeerConfig, RTCRtpCodecParameters } from 'werift';
import { muxInterfaceAddresses } from './werift/udpMux/injection.js';
import type { UdpMux } from './werift/udpMux/UdpMux.js';

/** Where the SFU's ICE-lite endpoints listen and what they announce. */
export interface SfuIceOptions {
  /**
   * Addresses announced as host candidates (the only candidates: the SFU is ICE-lite). Default
   * `['127.0.0.1']`; a deployment announces the addresses its clients can reach.
   */
  announcedAddresses: string[];
  /**
   * IPv4 address the UDP sockets of IPv4 candidates bind to; default `'127.0.0.1'`; null binds every interface.
   * The sockets of IPv6 candidates bind every IPv6 interface.
   */
  bindAddress: string | null;
  /**
   * The one UDP port every transport shares (werift/udpMux/); 0, the default, picks a free one. null when
   * `portRange` is set: then each transport opens its own socket per announced address, as before the mux.
   */
  udpPort: number | null;
  /** Inclusive UDP port range `[min, max]` of the one-socket-per-transport mode; null (default) for the mux. */
  portRange: [number, number] | null;
}

/** The default ICE options: loopback only. */
export const LOOPBACK_ICE: SfuIceOptions = {
  announcedAddresses: ['127.0.0.1'],
  bindAddress: '127.0.0.1',
  udpPort: 0,
  portRange: null,
};

/** Checks `ice` and fills defaults; bad values throw TypeError. */
export function resolveIceOptions(ice: Partial<SfuIceOptions> = {}): SfuIceOptions {
  const announced = ice.announcedAddresses ?? LOOPBACK_ICE.announcedAddresses;
  if (!Array.isArray(announced) || announced.length === 0 || !announced.every((a) => isIP(a))) {
    throw new TypeError('ice.announcedAddresses must be a non-empty list of IP addresses');
  }
  const bindAddress = ice.bindAddress === undefined ? LOOPBACK_ICE.bindAddress : ice.bindAddress;
  if (bindAddress !== null && !isIPv4(bindAddress))
    throw new TypeError('ice.bindAddress must be an IPv4 address');
  const portRange = ice.portRange ?? null;
  if (portRange !== null) {
    const [min, max] = portRange;
    if (!(Number.isInteger(min) && Number.isInteger(max) && min > 0 && min <= max && max < 65536)) {
      throw new TypeError('ice.portRange must be [min, max] with 0 < min ≤ max < 65536');
    }
  }
  const udpPort =
    ice.udpPort === undefined ? (portRange === null ? LOOPBACK_ICE.udpPort : null) : ice.udpPort;
  if (udpPort !== null) {
    if (!(Number.isInteger(udpPort) && udpPort >= 0 && udpPort < 65536))
      throw new TypeError('ice.udpPort must be a port number (0: a free one), or null');
    if (portRange !== null) throw new TypeError('ice.udpPort and ice.portRange exclude each other: set one');
  }
  return { announcedAddresses: [...announced], bindAddress, udpPort, portRange };
}

/**
 * The codecs the SFU accepts from publishers and offers to players, preferred first. Opus and VP8 are always
 * offered; H264 (constrained baseline, packetization-mode 1) is used when a publisher offers it.
 * No RTX: retransmissions are resent on the media SSRC (RFC 4585), which every WebRTC receiver accepts.
 */
export function sfuCodecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return {
    audio: [new RTCRtpCodecParameters({ ...OPUS })],
    video: [new RTCRtpCodecParameters(vp8()), new RTCRtpCodecParameters(h264())],
  };
}

/**
 * The werift peer configuration of an SFU transport.
 *
 * werift quietly uses a public STUN server when none is configured, even with `iceServers: []`: its ICE
 * `Connection` falls back to `DEFAULT_STUN_SERVER` (werift/lib/ice/src/ice.js, `applyStunTurnServersFromOptions`)
 * whenever no STUN URL was given. That default is only consulted while gathering server-reflexive candidates,
 * which werift skips for an ICE-lite agent (`getCandidatePromises`: `!gatherIceLite && stunServer`). So the
 * SFU is always ICE-lite, gathers no reflexive or relay candidates, and its sockets are bound to `bindAddress`.
 */
export function sfuPeerConfig(ice: SfuIceOptions, mux: UdpMux | null = null): Partial<PeerConfig> {
  const bind = ice.bindAddress === null ? undefined : { udp4: ice.bindAddress };
  return {
    iceLite: true,
    iceServers: [],
    iceTransportPolicy: 'all',
    // Only the configured addresses: werift's interface scan is off for both families.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [...ice.announcedAddresses],
    // With a mux, werift's `UdpTransport.init` hands out the mux's virtual transports (werift/udpMux/injection.ts).
    iceInterfaceAddresses: mux === null ? bind : muxInterfaceAddresses(mux, ice.bindAddress),
    icePortRange: mux === null ? (ice.portRange ?? undefined) : undefined,
    iceUseTcp: false,
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
    codecs: sfuCodecs(),
    headerExtensions: { audio: [], video: [] },
  };
}

/**
 * The peer configuration of a publisher transport for `offerSdp`: the SFU's video codecs reordered to follow
 * the offer's preference, so a publisher that puts H264 first (`videoCodec: 'H264'`) gets H264. werift answers
 * an offer in its own configured order; without this every publisher would be answered VP8.
 */
export function publisherPeerConfig(config: Partial<PeerConfig>, offerSdp: string): Partial<PeerConfig> {
  const video = config.codecs?.video;
  if (!video || video.length < 2) return config;
  const section = /^m=video [^\n]*$/m.exec(offerSdp);
  if (!section) return config;
  const offered = section[0].trim().split(' ').slice(3).map(Number);
  const rank = (codec: RTCRtpCodecParameters): number => {
    const name = codec.mimeType.split('/')[1]!.toLowerCase();
    const pattern = new RegExp(`^a=rtpmap:(\\d+) ${name}/`, 'gim');
    let best = Number.POSITIVE_INFINITY;
    for (const match of offerSdp.matchAll(pattern)) {
      const i = offered.indexOf(Number(match[1]));
      if (i >= 0) best = Math.min(best, i);
    }
    return best;
  };
  const ordered = [...video].sort((a, b) => rank(a) - rank(b));
  return { ...config, codecs: { ...config.codecs, audio: config.codecs?.audio ?? [], video: ordered } };
}
