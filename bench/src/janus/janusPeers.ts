/**
 * The bench's werift peer connections to Janus, on the bench's end of the link only. werift falls back to a
 * public STUN server whenever it is given no STUN URL, even with `iceServers: []` (see
 * packages/server/src/sfu/peerConfig.ts and the Node SDK's clientPeerConfig.ts), and a full ICE agent (the
 * bench's peers must be full agents: Janus is one) would send it binding requests. So the bench runs its own
 * STUN responder on its link address (Parley's StunResponder, the one the server announces in `hello`) and
 * names it as the only ICE server: the reflexive candidate werift learns is its host address again.
 */
import { OPUS, vp8 } from '@parley/protocol';
import { StunResponder } from '@parley/server';
import { type PeerConfig, type RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { BENCH_ADDRESS } from './benchLink.js';

/** werift's configuration for a bench peer connection to Janus, with `stunUrl` the bench's responder. */
export function janusPeerConfig(stunUrl: string): Partial<PeerConfig> {
  return {
    iceServers: [{ urls: stunUrl }],
    iceTransportPolicy: 'all',
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceAdditionalHostAddresses: [BENCH_ADDRESS],
    iceInterfaceAddresses: { udp4: BENCH_ADDRESS },
    bundlePolicy: 'max-bundle',
    // As the bench's Parley peers: the SFU's codecs, no header extensions (Janus then sends none either).
    codecs: {
      audio: [new RTCRtpCodecParameters({ ...OPUS })],
      video: [new RTCRtpCodecParameters(vp8())],
    },
    headerExtensions: { audio: [], video: [] },
  };
}

/** The bench's STUN responder on its end of the link (close it with the peers). */
export function startLinkStun(): Promise<StunResponder> {
  return StunResponder.start({ bindAddress: BENCH_ADDRESS, announcedAddress: BENCH_ADDRESS, port: 0 });
}

/** Resolves once `pc` is connected; rejects if it fails or `timeoutMs` passes. */
export function connected(pc: RTCPeerConnection, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => {
      sub.unSubscribe();
      reject(new Error('connection to janus timed out'));
    }, timeoutMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(new Error(`connection to janus ${state}`));
      }
    });
  });
}
