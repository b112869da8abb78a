/**
 * A werift peer connection set up as the SFU's (ICE-lite, one bundled transport, loopback only) with its local
 * description applied, and the ICE connection under it: for tests of the werift adapter's ICE rules.
 */
import { RTCPeerConnection } from 'werift';

/** `ice` is werift's ICE `Connection`, typed by the caller as the shape it tests. */
export async function liteIceConnection<Ice = Record<string, unknown>>(): Promise<{
  pc: RTCPeerConnection;
  ice: Ice;
}> {
  const pc = new RTCPeerConnection({
    iceLite: true,
    bundlePolicy: 'max-bundle',
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const ice = pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as Ice;
  return { pc, ice };
}
