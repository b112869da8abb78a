/**
 * The bench's own werift peer connections (synthetic publishers and players, towards Parley or Janus): one
 * configuration and one wait for the connection. werift falls back to a public STUN server whenever it is
 * given no STUN URL, so every bench peer names the STUN responder on its own address as its only ICE server,
 * gathers on that one address, and negotiates the SFU's codecs without header extensions.
 */
import { OPUS, vp8 } from '@parley/protocol';
import { type PeerConfig, type RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

/** werift's configuration for a bench peer on `address`, whose only ICE server is `stunUrl`. */
export function benchPeerConfig(stunUrl: string, address: string): Partial<PeerConfig> {
  return {
    iceServers: [{ urls: stunUrl }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceAdditionalHostAddresses: [address],
    iceInterfaceAddresses: { udp4: address },
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [new RTCRtpCodecParameters({ ...OPUS })],
      video: [new RTCRtpCodecParameters(vp8())],
    },
    headerExtensions: { audio: [], video: [] },
  };
}

/**
 * Resolves once `pc` is connected; rejects if it fails, closes or `timeoutMs` passes (the message names
 * `peer`, what it connects to).
 */
export function connected(pc: RTCPeerConnection, peer: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => {
      sub.unSubscribe();
      reject(new Error(`connection to ${peer} timed out`));
    }, timeoutMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(new Error(`connection to ${peer} ${state}`));
      }
    });
  });
}
