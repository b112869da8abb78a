/**
 * The route of an ICE connection (werift/PairRoute.ts): resolved once per nomination, it must send exactly
 * where sendOnPair would, follow a new nomination and the connection's state at once, drop on a closed socket,
 * and keep the pair's packet and byte counters exact. On werift's own ICE-lite connection, with pairs whose
 * transports are real UDP sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeOf } from '../../src/sfu/werift/PairRoute.js';
import type { WeriftIceConnection } from '../../src/sfu/werift/shapes.js';
import { liteIceConnection } from './support/liteIce.js';
import { boundSocket, pairOver, receiver } from './support/udpPairs.js';

test('a route sends on the nominated pair, follows a new one at once, and keeps the pairs counted', async (t) => {
  const { pc, ice } = await liteIceConnection<WeriftIceConnection>();
  const local = await boundSocket();
  const a = await receiver();
  const b = await receiver();
  t.after(async () => {
    await pc.close();
    for (const s of [local, a.socket, b.socket]) s.close();
  });
  const route = routeOf(ice);
  assert.equal(routeOf(ice), route, 'one route per connection');

  route.send(Buffer.from('before')); // no pair yet: werift's send, which drops it
  const pairA = pairOver(local, a.socket);
  ice.nominated = pairA;
  for (const text of ['a1', 'a22', 'a333']) route.send(Buffer.from(text));
  assert.equal(route.direct, true, 'the nomination was followed: straight to its socket');
  assert.equal(String(await a.next()), 'a1', 'nothing sent before the nomination reaches the pair');
  assert.equal(String(await a.next()), 'a22');
  assert.equal(String(await a.next()), 'a333');
  assert.equal(pairA.packetsSent, 3);
  assert.equal(pairA.bytesSent, 2 + 3 + 4);

  const pairB = pairOver(local, b.socket);
  ice.nominated = pairB; // a renomination (followNomination.ts, or werift's own assignments)
  assert.equal(route.direct, false, 'stale at once');
  route.send(Buffer.from('b1'));
  assert.equal(route.direct, true);
  assert.equal(String(await b.next()), 'b1');
  assert.equal(pairA.packetsSent, 3, 'the old pair keeps its counts');
  assert.equal(pairB.packetsSent, 1);
  // werift's own send path counts with `pair.packetsSent++`: it adds to the route's counts.
  pairB.packetsSent += 1;
  pairB.bytesSent += 10;
  route.send(Buffer.from('b22'));
  assert.equal(String(await b.next()), 'b22');
  assert.equal(pairB.packetsSent, 3);
  assert.equal(pairB.bytesSent, 2 + 10 + 3);

  ice.nominated = pairA; // and back
  route.send(Buffer.from('a4'));
  assert.equal(String(await a.next()), 'a4');
  assert.equal(pairA.packetsSent, 4);
  assert.equal(pairB.packetsSent, 3);
});

test('a route drops once the connection failed or its socket closed, as sendOnPair does', async (t) => {
  const { pc, ice } = await liteIceConnection<WeriftIceConnection>();
  const local = await boundSocket();
  const other = await boundSocket();
  const a = await receiver();
  t.after(async () => {
    await pc.close();
    for (const s of [other, a.socket]) s.close();
  });
  const route = routeOf(ice);
  const pair = pairOver(local, a.socket);
  ice.nominated = pair;
  route.send(Buffer.from('first'));
  assert.equal(String(await a.next()), 'first');

  (ice as unknown as { setState(state: string): void }).setState('failed');
  route.send(Buffer.from('dropped: failed'));
  assert.equal(route.direct, false);
  (ice as unknown as { setState(state: string): void }).setState('connected');
  route.send(Buffer.from('second'));
  assert.equal(route.direct, true);
  assert.equal(String(await a.next()), 'second', 'nothing was sent while the connection had failed');
  assert.equal(pair.packetsSent, 2);

  local.close();
  assert.doesNotThrow(() => route.send(Buffer.from('dropped: closed')));
  assert.equal(route.direct, false, 'a closed socket makes the route stale');
  // The same pair on another socket (a fresh nomination) sends again; the closed socket sent nothing.
  ice.nominated = pairOver(other, a.socket);
  route.send(Buffer.from('third'));
  assert.equal(String(await a.next()), 'third');
  assert.equal(pair.packetsSent, 2);
});
