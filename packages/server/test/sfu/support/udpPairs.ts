/**
 * Real UDP sockets on 127.0.0.1 and candidate pairs over them, shaped as werift keeps its pairs: for tests of
 * what the SFU sends on an ICE connection's nominated pair (PairRoute, the sender reports).
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { RTCIceGatherer, RTCIceTransport } from 'werift';
import type { WeriftCandidatePair } from '../../../src/sfu/werift/shapes.js';

export async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

/** A receiving socket and the datagrams it got, in order. */
export async function receiver(): Promise<{ socket: Socket; next: () => Promise<Buffer> }> {
  const socket = await boundSocket();
  const queue: Buffer[] = [];
  const waiters: Array<(data: Buffer) => void> = [];
  socket.on('message', (data) => {
    const waiter = waiters.shift();
    if (waiter) waiter(data);
    else queue.push(data);
  });
  const next = () =>
    new Promise<Buffer>((resolve) => {
      const first = queue.shift();
      if (first !== undefined) resolve(first);
      else waiters.push(resolve);
    });
  return { socket, next };
}

/** A candidate pair as werift keeps one, over `local` (a UDP transport) to `remote`. */
export function pairOver(local: Socket, remote: Socket): WeriftCandidatePair {
  return {
    protocol: { transport: { type: 'udp', closed: false, socket: local } },
    remoteCandidate: { host: '127.0.0.1', port: remote.address().port },
    packetsSent: 0,
    bytesSent: 0,
    nominated: true,
    remoteNominated: true,
    state: 3,
  } as unknown as WeriftCandidatePair;
}

/**
 * Two of werift's own ICE transports connected to each other on 127.0.0.1, without DTLS above them: `lite`
 * as the SFU's (ICE-lite, controlled), `full` as a player's (controlling). Only the test sends on them, so the
 * lite side's nominated pair counts exactly what the test sent.
 */
export async function connectedIce(): Promise<{
  lite: RTCIceTransport;
  full: RTCIceTransport;
  close(): Promise<void>;
}> {
  const options = {
    useIpv6: false,
    useTcp: false,
    interfaceAddresses: { udp4: '127.0.0.1' },
    additionalHostAddresses: ['127.0.0.1'],
  };
  const liteGatherer = new RTCIceGatherer({ ...options, iceLite: true });
  const fullGatherer = new RTCIceGatherer(options);
  await Promise.all([liteGatherer.gather(), fullGatherer.gather()]);
  const lite = new RTCIceTransport(liteGatherer);
  const full = new RTCIceTransport(fullGatherer);
  full.connection.iceControlling = true;
  lite.setRemoteParams(fullGatherer.localParameters);
  full.setRemoteParams(liteGatherer.localParameters);
  for (const [to, from] of [
    [lite, fullGatherer],
    [full, liteGatherer],
  ] as const) {
    for (const candidate of from.localCandidates) await to.addRemoteCandidate(candidate);
    await to.addRemoteCandidate(undefined);
  }
  await Promise.all([lite.start(), full.start()]);
  return { lite, full, close: async () => void (await Promise.all([lite.stop(), full.stop()])) };
}
