/**
 * Debian's coturn (`turnserver`) in the lab's server host (see ../coturn/CoturnProcess.ts): UDP and TCP on one
 * port, TLS on another with a throw-away certificate, relaying only to the given peer addresses.
 *
 * @example
 * const coturn = await Coturn.start(lab, { secret });
 * const { username, credential } = turnCredentials(secret, 'alice', 600);
 * const iceServers = [coturn.iceServer('tls', username, credential)];
 */
import { CoturnProcess } from '../coturn/CoturnProcess.js';
import type { NetLab } from './NetLab.js';

export type { TurnIceServer, TurnTransport } from '../coturn/CoturnProcess.js';

/** Options of {@link Coturn.start}. */
export interface CoturnOptions {
  /** The shared secret (`static-auth-secret`). */
  secret: string;
  /** Default `parley.test`. */
  realm?: string;
  /** UDP and TCP port. Default 3478. */
  port?: number;
  /** TLS port. Default 5349. */
  tlsPort?: number;
  /** The addresses coturn may relay to. Default the server host's address (where Parley's media listens). */
  peerIps?: string[];
}

/** A coturn in the lab: the process it runs as, which listens and relays on the server host's address. */
export type Coturn = CoturnProcess;

export const Coturn = {
  /** Starts coturn in the lab's server host and resolves once its UDP, TCP and TLS listeners are open. */
  start(lab: NetLab, options: CoturnOptions): Promise<Coturn> {
    const address = lab.address('server');
    return CoturnProcess.start({
      spawn: (command, args) => lab.spawn('server', command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
      secret: options.secret,
      realm: options.realm ?? 'parley.test',
      address,
      relayIp: address,
      peerIps: options.peerIps ?? [address],
      port: options.port ?? 3478,
      tlsPort: options.tlsPort ?? 5349,
    });
  },
};
