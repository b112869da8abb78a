/**
 * A STUN binding responder on 127.0.0.1 (copied from packages/server/test/sfu/support/loopbackStun.ts): the
 * connections' only ICE server, so werift never falls back to a public STUN server.
 */
import { createSocket, type Socket } from 'node:dgram';
import { classes, Message, methods, parseMessage } from 'werift';

export interface LoopbackStun {
  /** The `iceServers` entry to give a connection. */
  url: string;
  /** Binding requests answered. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startLoopbackStun(): Promise<LoopbackStun> {
  const socket: Socket = createSocket('udp4');
  let requests = 0;
  socket.on('message', (data, rinfo) => {
    const msg = parseMessage(data);
    if (!msg || msg.messageMethod !== methods.BINDING || msg.messageClass !== classes.REQUEST) return;
    requests += 1;
    const response = new Message(methods.BINDING, classes.RESPONSE, msg.transactionId);
    response.setAttribute('XOR-MAPPED-ADDRESS', [rinfo.address, rinfo.port]);
    socket.send(response.bytes, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    url: `stun:127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
