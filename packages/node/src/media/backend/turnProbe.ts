/**
 * Asks a TURN server for one allocation and tells how it answered. werift's TURN client cannot say why it got
 * no relay candidate: a server refuses a wrong password with a 401 it cannot sign with the client's key, werift
 * drops that unsigned answer and waits until its request times out. A connection whose gathering ended without
 * a relay candidate asks the server again with this probe, which reads the refusal, so the engine can warn of a
 * wrong shared secret instead of a silent missing path.
 */
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import { classes, Message, makeIntegrityKey, methods, parseMessage } from 'werift';

/** What the TURN server answered: an allocation, a STUN error code, or (701) nothing in time. */
export type TurnProbeResult = { ok: true } | { ok: false; code: number; text: string };

export interface TurnProbeOptions {
  /** For `turns:`. */
  tls?: TlsConnectionOptions | undefined;
  /** The local address to send UDP from (the connection's, e.g. 127.0.0.1 on loopback). */
  localAddress?: string | undefined;
  /** Default 5000 ms. */
  timeoutMs?: number | undefined;
}

/** REQUESTED-TRANSPORT for UDP relaying: protocol number 17 in the first byte. */
const UDP_TRANSPORT = 17 << 24;
/** RFC 7064's code for a server that did not answer, as browsers report it in `icecandidateerror`. */
const NO_ANSWER = 701;
/** UDP requests are sent again at this interval until an answer comes. */
const UDP_RESEND_MS = 500;

/**
 * Allocates on the TURN server at `url` with the given credentials and releases the allocation at once.
 * @example
 * const result = await probeTurn('turn:turn.example.org:3478?transport=udp', username, credential);
 * if (!result.ok && result.code === 401) console.warn('wrong TURN secret');
 */
export async function probeTurn(
  url: string,
  username: string,
  credential: string,
  options: TurnProbeOptions = {},
): Promise<TurnProbeResult> {
  const target = parseTurnUrl(url);
  if (!target) return { ok: false, code: NO_ANSWER, text: `not a TURN URL: ${url}` };
  const channel =
    target.transport === 'udp'
      ? udpChannel(target, options.localAddress)
      : streamChannel(target, options.tls);
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  try {
    const allocate = (): Message =>
      new Message(methods.ALLOCATE, classes.REQUEST)
        .setAttribute('REQUESTED-TRANSPORT', UDP_TRANSPORT)
        .setAttribute('LIFETIME', 60);
    // The first request carries no credentials: the server answers 401 with its realm and a nonce.
    const noAnswer = (): TurnProbeResult => ({
      ok: false,
      code: NO_ANSWER,
      text: channel.failure ?? 'no answer from the TURN server',
    });
    const challenge = await channel.exchange(allocate(), deadline);
    if (!challenge) return noAnswer();
    const realm = challenge.getAttributeValue('REALM') as string | undefined;
    const nonce = challenge.getAttributeValue('NONCE') as Buffer | undefined;
    if (challenge.messageClass === classes.RESPONSE) return { ok: true };
    if (!realm || !nonce) return errorOf(challenge);
    const key = makeIntegrityKey(username, realm, credential);
    const signed = (m: Message): Message =>
      m
        .setAttribute('USERNAME', username)
        .setAttribute('REALM', realm)
        .setAttribute('NONCE', nonce)
        .addMessageIntegrity(key)
        .addFingerprint();
    const answer = await channel.exchange(signed(allocate()), deadline);
    if (!answer) return noAnswer();
    if (answer.messageClass !== classes.RESPONSE) return errorOf(answer);
    // Give the allocation back (a stream's allocation also ends with its connection).
    await channel.send(signed(new Message(methods.REFRESH, classes.REQUEST).setAttribute('LIFETIME', 0)));
    return { ok: true };
  } finally {
    channel.close();
  }
}

function errorOf(message: Message): TurnProbeResult {
  const value = message.getAttributeValue('ERROR-CODE') as [number, string] | undefined;
  return value
    ? { ok: false, code: value[0], text: value[1] }
    : { ok: false, code: NO_ANSWER, text: 'no error code' };
}

interface TurnTarget {
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
}

/** `turn:host[:port][?transport=udp|tcp]` and `turns:host[:port][?transport=tcp]`, as werift reads them. */
export function parseTurnUrl(url: string): TurnTarget | null {
  const match = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!match) return null;
  const [, scheme, rawHost, port, transport] = match as unknown as [string, string, string, string?, string?];
  const secure = scheme.toLowerCase() === 'turns';
  if (secure && transport?.toLowerCase() === 'udp') return null;
  return {
    host: rawHost.replace(/^\[|\]$/g, ''),
    port: port === undefined ? (secure ? 5349 : 3478) : Number(port),
    transport: secure ? 'tls' : transport?.toLowerCase() === 'tcp' ? 'tcp' : 'udp',
  };
}

/** One request at a time to the server, and its answer (null when none came before the deadline). */
interface Channel {
  exchange(request: Message, deadline: number): Promise<Message | null>;
  /** Sends without waiting for an answer; resolves once the message is handed to the network. */
  send(message: Message): Promise<void>;
  close(): void;
  /** Why the connection to the server failed, if it did (a refused TCP connection, a TLS error). */
  readonly failure: string | null;
}

function udpChannel(target: TurnTarget, localAddress: string | undefined): Channel {
  const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => {});
  // A probe is a diagnosis: it must not keep an app alive that has closed everything else.
  socket.unref();
  const bound = new Promise<void>((resolve) => socket.bind(0, localAddress, () => resolve()));
  let waiter: { id: string; resolve: (m: Message) => void } | null = null;
  socket.on('message', (data) => {
    const message = parseMessage(data);
    if (message && waiter && message.transactionIdHex === waiter.id) waiter.resolve(message);
  });
  const send = (m: Message): void => socket.send(m.bytes, target.port, target.host);
  return {
    async exchange(request, deadline) {
      await bound;
      return new Promise((resolve) => {
        const finish = (m: Message | null): void => {
          clearInterval(resend);
          clearTimeout(timer);
          waiter = null;
          resolve(m);
        };
        waiter = { id: request.transactionIdHex, resolve: finish };
        const resend = setInterval(() => send(request), UDP_RESEND_MS);
        const timer = setTimeout(() => finish(null), Math.max(0, deadline - Date.now()));
        resend.unref();
        timer.unref();
        send(request);
      });
    },
    send: async (m) => {
      await bound;
      await new Promise<void>((resolve) => socket.send(m.bytes, target.port, target.host, () => resolve()));
    },
    close: () => void bound.then(() => socket.close()),
    failure: null,
  };
}

function streamChannel(target: TurnTarget, tls: TlsConnectionOptions | undefined): Channel {
  const socket: Duplex =
    target.transport === 'tls'
      ? tlsConnect({ ...tls, host: target.host, port: target.port })
      : tcpConnect({ host: target.host, port: target.port });
  (socket as { unref?: () => void }).unref?.();
  let buffer = Buffer.alloc(0);
  let waiter: { id: string; resolve: (m: Message | null) => void } | null = null;
  let gone = false;
  let failure: string | null = null;
  const end = (): void => {
    gone = true;
    waiter?.resolve(null);
  };
  socket.on('error', (err: Error) => {
    failure ??= err.message;
    end();
  });
  socket.on('close', end);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    // STUN messages follow each other on a stream (RFC 5389 §7.2.2): a 20-byte header, then its length.
    while (buffer.length >= 20 && buffer.length >= 20 + buffer.readUInt16BE(2)) {
      const size = 20 + buffer.readUInt16BE(2);
      const message = parseMessage(buffer.subarray(0, size));
      buffer = buffer.subarray(size);
      if (message && waiter && message.transactionIdHex === waiter.id) waiter.resolve(message);
    }
  });
  return {
    exchange(request, deadline) {
      if (gone) return Promise.resolve(null);
      return new Promise((resolve) => {
        const finish = (m: Message | null): void => {
          clearTimeout(timer);
          waiter = null;
          resolve(m);
        };
        waiter = { id: request.transactionIdHex, resolve: finish };
        const timer = setTimeout(() => finish(null), Math.max(0, deadline - Date.now()));
        timer.unref();
        socket.write(request.bytes);
      });
    },
    send: (m) =>
      new Promise<void>((resolve) => {
        if (gone) resolve();
        else socket.write(m.bytes, () => resolve());
      }),
    close: () => {
      socket.end();
      socket.destroy();
    },
    get failure() {
      return failure;
    },
  };
}

/** Results kept per TURN server and credentials before the oldest are forgotten. */
const CHECKS_KEPT = 32;

/**
 * One probe per TURN server and credentials, shared by a backend's connections: the engine hands the same
 * credentials to every connection until they are renewed, and one answer tells whether they work.
 * @example
 * const checks = new TurnChecks(tlsOptions);
 * const result = await checks.check(url, username, credential, '127.0.0.1');
 */
export class TurnChecks {
  private readonly results = new Map<string, Promise<TurnProbeResult>>();

  constructor(private readonly tls: TlsConnectionOptions | undefined) {}

  check(url: string, username: string, credential: string, localAddress?: string): Promise<TurnProbeResult> {
    const key = JSON.stringify([url, username, credential]);
    let result = this.results.get(key);
    if (!result) {
      result = probeTurn(url, username, credential, { tls: this.tls, localAddress });
      if (this.results.size >= CHECKS_KEPT) this.results.delete(this.results.keys().next().value!);
      this.results.set(key, result);
    }
    return result;
  }
}
