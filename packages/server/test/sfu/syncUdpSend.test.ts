import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { makeSendsSynchronous } from '../../src/sfu/syncUdpSend.js';

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

test('a send to an IP address reaches the kernel before send() returns; a stock socket defers it a tick', async () => {
  const receiver = await bound();
  const got: string[] = [];
  const arrived = new Promise<void>((resolve) =>
    receiver.on('message', (m) => {
      got.push(m.toString());
      if (got.includes('sync')) resolve();
    }),
  );
  const port = receiver.address().port;

  // Closed in the same tick as its send: a stock socket drops the packet, its send was still waiting on the
  // lookup's next tick when the handle went away.
  const stock = await bound();
  stock.send(Buffer.from('stock'), port, '127.0.0.1');
  stock.close();

  const fast = await bound();
  assert.equal(makeSendsSynchronous(fast), true);
  assert.equal(makeSendsSynchronous(fast), true, 'a second call is a no-op');
  fast.send(Buffer.from('sync'), port, '127.0.0.1');
  fast.close();

  await arrived;
  assert.deepEqual(got, ['sync'], 'the stock packet never left; the synchronous one did');
  receiver.close();
});

test('a host name still goes through dns.lookup', async () => {
  const receiver = await bound();
  const fast = await bound();
  makeSendsSynchronous(fast);
  const message = once(receiver, 'message');
  const sent = new Promise<Error | null>((resolve) =>
    fast.send(Buffer.from('by name'), receiver.address().port, 'localhost', resolve),
  );
  assert.equal(await sent, null);
  const [m] = await message;
  assert.equal(m.toString(), 'by name');
  fast.close();
  receiver.close();
});
