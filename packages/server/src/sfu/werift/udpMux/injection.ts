/**
 * The one place werift is made to use the {@link UdpMux}: its `UdpTransport.init` (werift/lib/common/src/
 * transport.ts), which werift's ICE calls once per local address of a peer connection (`Connection.
 * getCandidatePromises` → `StunProtocol.connectionMade` → `UdpTransport.init(type, { portRange,
 * interfaceAddresses })`). The patch, installed once, acts only when `interfaceAddresses` carries a mux
 * under the {@link UDP_MUX} symbol — which only Parley's SFU peer config puts there ({@link muxInterfaceAddresses});
 * every other werift peer connection in the process (the Node SDK, tests, the bench) gets werift's own
 * socket as before. werift hands `iceInterfaceAddresses` from the peer config to `UdpTransport.init` by
 * reference, and reads it otherwise only with `Object.values` (which skips symbol keys) and
 * `interfaceAddress(type, …)` (which reads `udp4`/`udp6`); udpMuxShapes.test.ts pins all of that.
 */
import { type InterfaceAddresses, UdpTransport } from 'werift';
import type { UdpMux } from './UdpMux.js';

/** The key under which an SFU peer config's `iceInterfaceAddresses` carries its mux. */
export const UDP_MUX: unique symbol = Symbol('parley.udpMux');

type WithMux = InterfaceAddresses & { [UDP_MUX]?: UdpMux };
type Init = typeof UdpTransport.init;

let installed = false;

/** Patches werift's `UdpTransport.init` (once per process; later calls do nothing). */
export function installUdpMux(): void {
  if (installed) return;
  installed = true;
  const original: Init = UdpTransport.init.bind(UdpTransport);
  const init: Init = async (type, options = {}) => {
    const mux = (options.interfaceAddresses as WithMux | undefined)?.[UDP_MUX];
    if (mux === undefined) return original(type, options);
    // A MuxTransport is what werift uses of a UdpTransport (see MuxTransport.ts), not the class itself.
    return (await mux.createTransport(type)) as unknown as UdpTransport;
  };
  UdpTransport.init = init;
}

/**
 * The `iceInterfaceAddresses` of an SFU peer config that uses `mux`: werift sees `udp4: bindAddress` as
 * before (it filters its interface scan with it), and the patched `UdpTransport.init` finds the mux.
 */
export function muxInterfaceAddresses(mux: UdpMux, bindAddress: string | null): InterfaceAddresses {
  installUdpMux();
  // An own enumerable symbol key: copied by a spread, skipped by `Object.values` and `for … in`.
  const addresses: WithMux = bindAddress === null ? {} : { udp4: bindAddress };
  addresses[UDP_MUX] = mux;
  return addresses;
}
