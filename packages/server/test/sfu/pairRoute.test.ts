/**
 * The route of an ICE connection (werift/PairRoute.ts): resolved once per nomination, it must send exactly
 * where sendOnPair would, follow a new nomination and the connection's state at once, drop on a closed socket,
 * and keep the pair's packet and byte counters exact — in the pair's own fields once the route flushed them
 * (before werift's getStats, on a new nomination), not at every instant. On werift's own ICE-lite connection,
 * with pairs whose transports are real UDP sockets on 127.0.0.1, and on two of werift's ICE transports
 * connected to each other; werift's objects stay in V8's fast mode throughout.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RTCIceTransport } from 'werift';
import { followLatestNomination } from '../../src/sfu/werift/followNomination.js';
import { nominationChanged, routeOf } from '../../src/sfu/werift/PairRoute.js';
import { pairHookProblems } from '../../src/sfu/werift/pairHooks.js';
import { sendOnPair } from '../../src/sfu/werift/sendOnPair.js';
import type { WeriftCandidatePair, WeriftIceConnection } from '../../src/sfu/werift/shapes.js';
import { hasFastProperties } from './support/fastProperties.js';
import { liteIceConnection } from './support/liteIce.js';
import { boundSocket, connectedIce, pairOver, receiver } from './support/udpPairs.js';
import { waitFor } from './support/waitFor.js';

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
  // Parley's own assignments say so (followNomination.ts); werift's are followed through its hooked methods.
  ice.nominated = pairA;
  nominationChanged(ice);
  for (const text of ['a1', 'a22', 'a333']) route.send(Buffer.from(text));
  assert.equal(route.direct, true, 'the nomination was followed: straight to its socket');
  assert.equal(String(await a.next()), 'a1', 'nothing sent before the nomination reaches the pair');
  assert.equal(String(await a.next()), 'a22');
  assert.equal(String(await a.next()), 'a333');
  assert.equal(pairA.packetsSent, 0, 'counted on the route, not on the pair per packet');
  route.flush();
  assert.equal(pairA.packetsSent, 3);
  assert.equal(pairA.bytesSent, 2 + 3 + 4);

  const pairB = pairOver(local, b.socket);
  ice.nominated = pairB; // a renomination (followNomination.ts)
  nominationChanged(ice);
  assert.equal(route.direct, false, 'stale at once');
  route.send(Buffer.from('b1'));
  assert.equal(route.direct, true);
  assert.equal(String(await b.next()), 'b1');
  assert.equal(pairA.packetsSent, 3, 'the old pair keeps its counts');
  route.flush();
  assert.equal(pairB.packetsSent, 1);
  // werift's own send path counts with `pair.packetsSent++`: the route's later flush adds to it.
  pairB.packetsSent += 1;
  pairB.bytesSent += 10;
  route.send(Buffer.from('b22'));
  assert.equal(String(await b.next()), 'b22');
  route.flush();
  assert.equal(pairB.packetsSent, 3);
  assert.equal(pairB.bytesSent, 2 + 10 + 3);

  ice.nominated = pairA; // and back
  nominationChanged(ice);
  route.send(Buffer.from('a4'));
  assert.equal(String(await a.next()), 'a4');
  route.flush();
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
  nominationChanged(ice);
  route.send(Buffer.from('first'));
  assert.equal(String(await a.next()), 'first');

  (ice as unknown as { setState(state: string): void }).setState('failed');
  route.send(Buffer.from('dropped: failed'));
  assert.equal(route.direct, false);
  (ice as unknown as { setState(state: string): void }).setState('connected');
  route.send(Buffer.from('second'));
  assert.equal(route.direct, true);
  assert.equal(String(await a.next()), 'second', 'nothing was sent while the connection had failed');
  route.flush();
  assert.equal(pair.packetsSent, 2);

  local.close();
  assert.doesNotThrow(() => route.send(Buffer.from('dropped: closed')));
  assert.equal(route.direct, false, 'a closed socket makes the route stale');
  // The same pair on another socket (a fresh nomination) sends again; the closed socket sent nothing.
  ice.nominated = pairOver(other, a.socket);
  nominationChanged(ice);
  route.send(Buffer.from('third'));
  assert.equal(String(await a.next()), 'third');
  assert.equal(pair.packetsSent, 2);
});

/** werift's ICE connection as these tests drive it: the route's shape and the methods that write `nominated`. */
type Ice = WeriftIceConnection & {
  resetNominatedPair(): void;
  restart(): Promise<void>;
  close(): Promise<void>;
  onData: { subscribe(listener: (data: Buffer) => void): unknown };
};

/**
 * What werift's own statistics say the candidate pairs of `ice` sent, all of them: the controlling side may
 * still nominate another pair of the same addresses while the test sends (then the route and werift follow it),
 * and every packet is counted on the pair it went out on.
 */
async function pairStats(ice: RTCIceTransport): Promise<{ packets: number; bytes: number }> {
  const stats = (await ice.getStats()) as unknown as Record<string, unknown>[];
  const pairs = stats.filter((s) => s['type'] === 'candidate-pair');
  assert.ok(
    pairs.some((s) => s['nominated'] === true),
    'a nominated pair in the stats',
  );
  let packets = 0;
  let bytes = 0;
  for (const pair of pairs) {
    packets += pair['packetsSent'] as number;
    bytes += pair['bytesSent'] as number;
  }
  return { packets, bytes };
}

/** Two connected ICE transports, the lite side's route resolved on its nominated pair, and what `full` gets. */
async function connectedRoute(t: { after(fn: () => unknown): void }) {
  const { lite, full, close } = await connectedIce();
  t.after(close);
  const ice = lite.connection as unknown as Ice;
  followLatestNomination(ice); // as the SFU's transports do
  await waitFor(() => ice.nominated !== undefined, 'the lite side nominated');
  const pair = ice.nominated!;
  const got: string[] = [];
  (full.connection as unknown as Ice).onData.subscribe((data) => got.push(String(data)));
  const route = routeOf(ice);
  return { lite, ice, pair, route, got };
}

test("werift's methods that write nominated or read a pair's counters are the hooked ones", () => {
  assert.deepEqual(pairHookProblems(), []);
});

test("a route on werift's own connected transport leaves the connection, the pair and the transport in fast mode", async (t) => {
  const { lite, ice, pair, route, got } = await connectedRoute(t);
  route.send(Buffer.from('fast'));
  assert.equal(route.direct, true);
  await waitFor(() => got.includes('fast'), 'the packet at the other side');
  await pairStats(lite); // the hooked getStats ran, and flushed into the pair
  ice.resetNominatedPair(); // a hooked writer ran
  assert.equal(hasFastProperties(ice), true, "werift's ICE connection");
  assert.equal(hasFastProperties(pair), true, 'its nominated candidate pair');
  assert.equal(hasFastProperties(lite), true, "werift's ICE transport");
});

test("werift's stats count exactly what the route, werift's own send and sendOnPair sent, in any mix", async (t) => {
  const { lite, ice, route } = await connectedRoute(t);
  const op = fc.record({
    by: fc.constantFrom('route', 'werift', 'sendOnPair', 'stats'),
    size: fc.integer({ min: 1, max: 1200 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const start = await pairStats(lite);
      const expected = { ...start };
      const pending: Promise<void>[] = [];
      for (const { by, size } of [...ops, { by: 'stats', size: 0 }]) {
        if (by === 'stats') {
          await Promise.all(pending.splice(0)); // werift counts its own send once the socket took it
          assert.deepEqual(await pairStats(lite), expected);
          continue;
        }
        const packet = Buffer.alloc(size, 0x80); // not STUN: the other side takes it as data
        if (by === 'route') route.send(packet);
        else if (by === 'werift') pending.push(ice.send(packet));
        else sendOnPair(ice, packet);
        expected.packets += 1;
        expected.bytes += size;
      }
      // (A run whose ops send nothing through the route leaves it unresolved: nothing to check then.)
      if (ops.some((o) => o.by === 'route'))
        assert.equal(route.direct, true, 'the route sent straight to the socket throughout');
    }),
    { numRuns: 40 },
  );
});

test("each of werift's writers of nominated, and followNomination's renomination, makes the route resolve again", async (t) => {
  const { ice, pair, route, got } = await connectedRoute(t);
  const arrives = async (text: string) => {
    route.send(Buffer.from(text));
    await waitFor(() => got.includes(text), `${text} at the other side`);
  };
  await arrives('first');
  assert.equal(route.direct, true);

  ice.resetNominatedPair();
  assert.equal(route.direct, false, 'resetNominatedPair: stale at once');
  route.send(Buffer.from('dropped: no pair'));
  assert.equal(route.direct, false);

  ice.checkComplete(pair); // werift nominates the succeeded pair again
  assert.equal(ice.nominated, pair);
  await arrives('checkComplete');
  assert.equal(route.direct, true, 'checkComplete: resolved on the new nomination');

  // followNomination.ts: a USE-CANDIDATE on another succeeded pair (a socket of its own here) moves it.
  const local = await boundSocket();
  const other = await receiver();
  t.after(() => {
    for (const s of [local, other.socket]) s.close();
  });
  const moved = Object.assign(pairOver(local, other.socket), {
    component: 1,
    localCandidate: {},
    toJSON: () => ({}),
    updateState() {},
  }) as WeriftCandidatePair;
  moved.remoteCandidate = {
    ...moved.remoteCandidate,
    generation: undefined,
  } as WeriftCandidatePair['remoteCandidate'];
  ice.checkComplete(moved);
  assert.equal(ice.nominated, moved);
  assert.equal(route.direct, false, 'followNomination: stale at once');
  route.send(Buffer.from('moved'));
  assert.equal(String(await other.next()), 'moved');

  await ice.restart();
  assert.equal(route.direct, false, 'restart: stale at once');
  route.send(Buffer.from('dropped: restarted'));
  ice.nominated = pair;
  nominationChanged(ice);
  await arrives('renominated');

  await ice.close();
  assert.equal(route.direct, false, 'close: stale at once');
  assert.doesNotThrow(() => route.send(Buffer.from('dropped: closed')));
  assert.equal(got.includes('dropped: closed') || got.includes('dropped: no pair'), false);
});
