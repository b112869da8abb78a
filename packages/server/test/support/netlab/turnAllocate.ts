/**
 * A program that asks a TURN server for one allocation over TCP or TLS, as a lab host would
 * (`node turnAllocate.js '<json config>'`), and prints the server's answer as one JSON line:
 * `{"event":"allocated","relayed":["ip",port]}` or `{"event":"refused","error":"401 Unauthorized"}`.
 *
 * werift's own TURN client cannot say why it was refused: it drops the 401 a server sends to a wrong key
 * (the server cannot sign it with the client's key) and times out. This client reads that answer, using
 * werift's STUN message codec.
 */
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { classes, Message, makeIntegrityKey, methods, parseMessage } from 'werift';

/** What the program is given as its first argument. */
export interface TurnAllocateConfig {
  url: string;
  username: string;
  credential: string;
  /** The PEM certificate that verifies a `turns:` server. */
  ca?: string;
}

const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
/** REQUESTED-TRANSPORT's value for UDP relaying (protocol 17 in the first byte). */
const UDP = 17 << 24;

async function main(config: TurnAllocateConfig): Promise<void> {
  const match = /^(turns?):([^:?]+):(\d+)(?:\?transport=tcp)?$/.exec(config.url);
  if (!match)
    throw new Error(`only turn:host:port?transport=tcp and turns:host:port are supported: ${config.url}`);
  const [, scheme, host, port] = match as unknown as [string, string, string, string];
  const socket: Duplex =
    scheme === 'turns'
      ? tlsConnect({ host, port: Number(port), ca: config.ca })
      : tcpConnect({ host, port: Number(port) });
  const replies = stunReader(socket);
  const allocate = () =>
    new Message(methods.ALLOCATE, classes.REQUEST)
      .setAttribute('REQUESTED-TRANSPORT', UDP)
      .setAttribute('LIFETIME', 60);

  // The first request carries no credentials; the server answers 401 with its realm and a nonce.
  socket.write(allocate().bytes);
  const challenge = await replies.next();
  const realm = challenge.getAttributeValue('REALM') as string | undefined;
  const nonce = challenge.getAttributeValue('NONCE') as Buffer | undefined;
  if (challenge.messageClass !== classes.ERROR || !realm || !nonce)
    throw new Error(`expected a 401 challenge, got ${JSON.stringify(challenge.json)}`);
  const key = makeIntegrityKey(config.username, realm, config.credential);
  const request = allocate()
    .setAttribute('USERNAME', config.username)
    .setAttribute('REALM', realm)
    .setAttribute('NONCE', nonce)
    .addMessageIntegrity(key)
    .addFingerprint();
  socket.write(request.bytes);
  const answer = await replies.next();
  if (answer.messageClass === classes.RESPONSE) {
    print({ event: 'allocated', relayed: answer.getAttributeValue('XOR-RELAYED-ADDRESS') });
  } else {
    const [code, reason] = answer.getAttributeValue('ERROR-CODE') as [number, string];
    print({ event: 'refused', error: `${code} ${reason}` });
  }
  socket.destroy();
}

/** Splits a stream of STUN messages (RFC 5389 §7.2.2: back to back over TCP) and hands them out in order. */
function stunReader(socket: Duplex): { next(): Promise<Message> } {
  let buffer = Buffer.alloc(0);
  const ready: Message[] = [];
  const waiting: { resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 20 && buffer.length >= 20 + buffer.readUInt16BE(2)) {
      const size = 20 + buffer.readUInt16BE(2);
      const message = parseMessage(buffer.subarray(0, size));
      buffer = buffer.subarray(size);
      if (!message) continue;
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(message);
      else ready.push(message);
    }
  });
  const fail = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(failure);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the TURN server closed the connection')));
  return {
    next: () => {
      const message = ready.shift();
      if (message) return Promise.resolve(message);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

main(JSON.parse(process.argv[2] ?? '{}') as TurnAllocateConfig).catch((error: Error) => {
  print({ event: 'error', error: error.message });
  process.exit(1);
});
