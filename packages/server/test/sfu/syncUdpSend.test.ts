import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { makeSendsSynchronous } from '../../src/sfu/werift/syncUdpSend.js';

async function bound(address = '127.0.0.1'): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, address);
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

test('sends alternating between two IP addresses each reach their own, synchronously', async () => {
  // 127.0.0.2 is loopback too (127/8 is routed to lo).
  const [a, b] = await Promise.all([bound('127.0.0.1'), bound('127.0.0.2')]);
  const received = (socket: Socket, count: number) =>
    new Promise<string[]>((resolve) => {
      const got: string[] = [];
      socket.on('message', (m) => {
        got.push(m.toString());
        if (got.length === count) resolve(got);
      });
    });
  const atA = received(a, 2);
  const atB = received(b, 1);
  const fast = await bound();
  makeSendsSynchronous(fast);
  fast.send(Buffer.from('a1'), a.address().port, '127.0.0.1');
  fast.send(Buffer.from('b1'), b.address().port, '127.0.0.2');
  fast.send(Buffer.from('a2'), a.address().port, '127.0.0.1');
  fast.close(); // in the same tick: only sends that already reached the kernel arrive
  assert.deepEqual(await atA, ['a1', 'a2']);
  assert.deepEqual(await atB, ['b1']);
  a.close();
  b.close();
});
