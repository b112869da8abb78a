/**
 * Media pipes between two SFU routers of one process, set up as the rooms layer will over the cluster bus
 * (the request and the answer go through JSON), optionally through a {@link PipeRelay}: a UDP hop in the
 * middle that can lose chosen packets, go silent, or send garbage from the address each end expects.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { PipeAnswer, PipeIn, PipeOut, PipeRequest, SfuRouter } from '../../../src/sfu/index.js';
import { waitFor } from './waitFor.js';

/** What crosses the bus: JSON, and nothing else. */
function overTheBus<T>(message: T): T {
  return JSON.parse(JSON.stringify(message)) as T;
}

/**
 * Opens a pipe for `streamKey` from `origin` to `remote` (through `relay` if given) and waits until it is
 * open both ways: the origin heard the remote's hello, and the remote heard the origin.
 */
export async function openPipe(
  origin: SfuRouter,
  remote: SfuRouter,
  streamKey: string,
  pipeID: string,
  relay?: PipeRelay,
): Promise<{ pipeIn: PipeIn; pipeOut: PipeOut }> {
  const pipeIn = await remote.openPipeIn(streamKey, pipeID);
  const request = overTheBus(pipeIn.request);
  const { answer, pipe: pipeOut } = await origin.openPipeOut(
    streamKey,
    relay ? relay.request(request) : request,
  );
  const received = overTheBus(answer);
  await pipeIn.connect(relay ? relay.answer(received) : received);
  await waitFor(() => pipeOut.open && pipeIn.stats().open, 'the pipe to open both ways');
  return { pipeIn, pipeOut };
}

/** Which way a datagram crosses the relay. */
export type RelayDirection = 'toRemote' | 'toOrigin';

/**
 * A UDP hop between an origin's pipe-out and a remote's pipe-in: each end talks to one of its sockets, and it
 * passes each datagram on unless `drop` says otherwise.
 */
export class PipeRelay {
  /** Return true to lose the datagram. Default: pass everything. */
  drop: (data: Buffer, direction: RelayDirection) => boolean = () => false;
  /** Datagrams passed and lost, by direction. */
  readonly passed = { toRemote: 0, toOrigin: 0 };
  readonly lost = { toRemote: 0, toOrigin: 0 };
  private readonly facingOrigin: Socket;
  private readonly facingRemote: Socket;
  private origin: { address: string; port: number } | null = null;
  private remote: { address: string; port: number } | null = null;

  private constructor(facingOrigin: Socket, facingRemote: Socket) {
    this.facingOrigin = facingOrigin;
    this.facingRemote = facingRemote;
    facingOrigin.on('message', (data) => this.pass(data, 'toRemote'));
    facingRemote.on('message', (data) => this.pass(data, 'toOrigin'));
  }

  static async start(): Promise<PipeRelay> {
    const bind = async (): Promise<Socket> => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    };
    return new PipeRelay(await bind(), await bind());
  }

  /** The remote's request, rewritten so the origin sends to the relay. */
  request(request: PipeRequest): PipeRequest {
    this.remote = { address: request.address, port: request.port };
    return { ...request, address: '127.0.0.1', port: this.facingOrigin.address().port };
  }

  /** The origin's answer, rewritten so the remote hears from (and sends to) the relay. */
  answer(answer: PipeAnswer): PipeAnswer {
    this.origin = { address: answer.address, port: answer.port };
    return { ...answer, address: '127.0.0.1', port: this.facingRemote.address().port };
  }

  /** Sends `data` to one end, from the relay socket that end expects its packets from. */
  inject(data: Buffer, direction: RelayDirection): void {
    const to = direction === 'toRemote' ? this.remote : this.origin;
    const from = direction === 'toRemote' ? this.facingRemote : this.facingOrigin;
    if (to) from.send(data, to.port, to.address);
  }

  close(): Promise<void> {
    const closeOne = (s: Socket) => new Promise<void>((resolve) => s.close(() => resolve()));
    return Promise.all([closeOne(this.facingOrigin), closeOne(this.facingRemote)]).then(() => undefined);
  }

  private pass(data: Buffer, direction: RelayDirection): void {
    if (this.drop(data, direction)) {
      this.lost[direction] += 1;
      return;
    }
    this.passed[direction] += 1;
    this.inject(data, direction);
  }
}

/** A UDP socket on 127.0.0.1 that is no part of any pipe: it sends from an address no pipe end expects. */
export async function foreignSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** RTP of a datagram: its payload type and the 4-byte counter the test publisher writes at `counterAt`. */
export function rtpOf(data: Buffer): { payloadType: number; payload: Buffer } | null {
  if (data.length < 12 || data[0]! >> 6 !== 2) return null;
  const b1 = data[1]!;
  if (b1 >= 192 && b1 <= 223) return null; // RTCP
  return { payloadType: b1 & 0x7f, payload: data.subarray(12) };
}
