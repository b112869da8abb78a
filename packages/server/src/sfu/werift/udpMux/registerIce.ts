/**
 * Tells the mux which local ufrags are a peer connection's, so that the first check from a new client tuple
 * finds its transport. Called by the SFU after each local description it sets (the ufrag in it is what the
 * client's checks will name; the client can only send them once it has that description), and again after
 * an ICE restart, which makes a new ufrag (werift keeps the older ones valid in `userHistory`).
 */
import { MuxTransport } from './MuxTransport.js';

/** What this reads of werift's ICE `Connection` (ice/src/ice.ts); pinned by udpMuxShapes.test.ts. */
export interface IceCredentialsShape {
  localUsername: string;
  localPassword: string;
  /** ufrag → password of earlier generations (werift fills it on restart). */
  userHistory: Record<string, string>;
  protocols: Array<{ transport?: unknown }>;
}

/**
 * Registers every ufrag of `connection` with the mux transports among its protocols: one per socket (two
 * local addresses of one family share the mux's socket, and the first protocol answers for both). Does
 * nothing for a connection that owns its own sockets (the port-range mode).
 */
export function registerIceCredentials(connection: IceCredentialsShape): void {
  const credentials = new Map(Object.entries(connection.userHistory));
  credentials.set(connection.localUsername, connection.localPassword);
  const sockets = new Set<unknown>();
  for (const protocol of connection.protocols) {
    const transport = protocol.transport;
    if (!(transport instanceof MuxTransport) || transport.closed || sockets.has(transport.socket)) continue;
    sockets.add(transport.socket);
    for (const [ufrag, password] of credentials) transport.register(ufrag, password);
  }
}
