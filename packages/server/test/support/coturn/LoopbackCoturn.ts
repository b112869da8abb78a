/**
 * Debian's coturn (`turnserver`) on loopback for a test (see CoturnProcess.ts), configured as `parley turn-config`
 * would configure it plus what a loopback test needs: loopback peers allowed, free ports, and a relay address of
 * its own in 127.0.0.0/8 (127.0.0.2 by default), so that a test can tell relayed packets from direct ones by their
 * source. Its listeners can be limited to UDP, TCP or TLS, so a relay candidate proves which one carried it.
 * The Node SDK's tests import it as `@parley/server/test/coturn`.
 *
 * Where `turnserver` is not installed the tests that need it skip — unless PARLEY_REQUIRE_ALL_TESTS=1 (CI),
 * where they fail.
 *
 * @example
 * const coturn = await LoopbackCoturn.start({ secret, transports: ['udp'] });
 * const turn = { urls: [coturn.url('udp')], username, credential };
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { CoturnProcess, type TurnTransport } from './CoturnProcess.js';

export type { TurnTransport } from './CoturnProcess.js';

const TURNSERVER = '/usr/bin/turnserver';
const LISTEN_IP = '127.0.0.1';
/** How many sets of free ports to try. */
const ATTEMPTS = 3;

/**
 * False when coturn is installed (the test runs), else a reason to skip; with PARLEY_REQUIRE_ALL_TESTS=1 always
 * false, so the test runs and fails on the missing server.
 */
export function skipWithoutCoturn(): string | false {
  if (existsSync(TURNSERVER) || process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1') return false;
  return `${TURNSERVER} is not installed (apt-get install coturn)`;
}

/** Options of {@link LoopbackCoturn.start}. */
export interface LoopbackCoturnOptions {
  secret: string;
  /** The listeners to open; default all three. */
  transports?: TurnTransport[];
  /** The only address coturn may relay to; default 127.0.0.1 (where the SFU listens). */
  peerIp?: string;
  /** The address coturn relays from; default 127.0.0.2. */
  relayIp?: string;
}

/** A coturn on loopback: the process it runs as, listening on 127.0.0.1. */
export type LoopbackCoturn = CoturnProcess;

export const LoopbackCoturn = {
  /** Starts coturn on free ports of 127.0.0.1 and resolves once the listeners it was asked for are open. */
  async start(options: LoopbackCoturnOptions): Promise<LoopbackCoturn> {
    // Another process may take a port between the check and coturn's bind: then coturn says so, and the next
    // try uses other ports.
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const [port, tlsPort] = [await freePort(), await freePort()];
      try {
        return await CoturnProcess.start({
          spawn: (command, args) => spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
          secret: options.secret,
          realm: 'parley.test',
          address: LISTEN_IP,
          relayIp: options.relayIp ?? '127.0.0.2',
          peerIps: [options.peerIp ?? LISTEN_IP],
          port,
          tlsPort,
          transports: options.transports,
          // The media address is a loopback one here; coturn refuses loopback peers unless told.
          extraConfig: ['allow-loopback-peers', 'no-dtls'],
        });
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  },
};

/** A port free on 127.0.0.1 for both TCP and UDP right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, LISTEN_IP, () => resolve((server.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, LISTEN_IP, () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
}
