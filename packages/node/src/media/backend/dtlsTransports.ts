import type { RTCDtlsTransport, RTCPeerConnection } from 'werift';

/** The DTLS transports of `pc`'s transceivers, each once (bundled transceivers share one). */
export function dtlsTransportsOf(pc: RTCPeerConnection): RTCDtlsTransport[] {
  return [...new Set(pc.getTransceivers().map((t) => t.dtlsTransport))];
}
