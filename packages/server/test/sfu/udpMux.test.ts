/**
 * The UDP mux with werift peers: every SFU transport on one server port, demultiplexed by tuple after the
 * first check (matched by the local ufrag and its password); junk from unknown tuples dropped and counted;
 * a closed transport's tuples released; a datagram its transport throws on counted and lost, nothing else.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { classes, Message, methods } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import { MuxSocket } from '../../src/sfu/werift/udpMux/MuxSocket.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

/** The ports of the host candidates in `sdp`. */
function candidatePorts(sdp: string): number[] {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gim)].map((m) => Number(m[1]));
}

async function foreign(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function send(socket: Socket, data: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
}

test('a publisher and two players of one client process share the one server port; media flows', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const players = [new TestPlayer(stun), new TestPlayer(stun)];
  t.after(() => closeAll(router, pub, ...players));
  await router.listening();
  const port = router.udpPort;
  assert.ok(typeof port === 'number' && port > 0);
  const publisher = await pub.publish(router, 's');
  const subscribers = await Promise.all(players.map((p, i) => p.play(router, `p${i}`, 's')));
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(
    () => players.every((p) => p.received.video.length > 10 && p.received.audio.length > 10),
    'media',
  );
  // Every SFU candidate, in every description it made, names the mux port.
  for (const pc of [pub.pc, ...players.map((p) => p.pc)]) {
    const sdp = pc.remoteDescription!.sdp;
    assert.deepEqual([...new Set(candidatePorts(sdp))], [port], 'the SFU candidates are on the mux port');
  }
  // Three client peers on one address (127.0.0.1), each its own port: a tuple each on the SFU's side.
  const stats = router.udpMux!.stats();
  assert.equal(stats.transports, 3);
  assert.equal(stats.tuples, 3);
  assert.equal(stats.dropped, 0);
  for (const transport of [publisher, ...subscribers]) assert.equal(transport.connectionState, 'connected');
});

test('junk from unknown tuples is dropped and counted; media goes on', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  const junk = await foreign();
  t.after(async () => {
    junk.close();
    await closeAll(router, pub, player);
  });
  await pub.publish(router, 's');
  await player.play(router, 'p', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => player.received.video.length > 5, 'media');
  const port = router.udpPort!;
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(pub.pc.remoteDescription!.sdp)![1]!;

  const request = (username: string | null, password: string | null): Buffer => {
    const m = new Message(methods.BINDING, classes.REQUEST);
    if (username !== null) m.setAttribute('USERNAME', username);
    if (password !== null) m.addMessageIntegrity(Buffer.from(password));
    m.addFingerprint();
    return m.bytes;
  };
  const rtpLike = Buffer.alloc(60, 0);
  rtpLike[0] = 0x80;
  const datagrams = [
    Buffer.alloc(0),
    Buffer.from([0x00]),
    Buffer.alloc(20, 0xff),
    rtpLike,
    Buffer.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // a DTLS-looking record
    request('zzzz:abcd', 'wrong-password-0123456'), // an unknown ufrag
    request(`${ufrag}:abcd`, 'wrong-password-0123456'), // our ufrag, but the check does not verify
    request(`${ufrag}:abcd`, null), // our ufrag without MESSAGE-INTEGRITY
    Buffer.concat([request(`${ufrag}:abcd`, null).subarray(0, 24), Buffer.alloc(4, 0xff)]), // truncated
    request(null, null), // a plain STUN lookup: the STUN responder's job, on its own port
  ];
  const before = router.udpMux!.stats();
  for (const d of datagrams) await send(junk, d, port);
  await waitFor(
    () => router.udpMux!.stats().dropped - before.dropped === datagrams.length,
    () =>
      `every junk datagram dropped (${router.udpMux!.stats().dropped - before.dropped} of ${datagrams.length})`,
  );
  assert.equal(router.udpMux!.stats().tuples, before.tuples, 'no tuple added for junk');
  const received = player.received.video.length;
  await waitFor(() => player.received.video.length > received + 5, 'media still flowing');
});

test('a datagram its transport throws on is counted as failed and lost; that transport and the others go on', async (t) => {
  const mux = new MuxSocket('udp4', 8);
  const clients = [await foreign(), await foreign()];
  t.after(async () => {
    for (const c of clients) c.close();
    await mux.close();
  });
  await mux.bind(0, '127.0.0.1');
  const port = mux.socket.address().port;
  const ufrags = ['aa01', 'bb02'];
  const got: string[][] = [[], []];
  for (const [i, ufrag] of ufrags.entries()) {
    const transport = mux.createTransport();
    transport.register(ufrag, `password-of-${ufrag}-0123456789`);
    // What werift's handler would be; this one throws on one datagram, as werift may on a bad record.
    transport.onData = (data) => {
      if (data.toString() === 'bad record') throw new Error('werift could not handle it');
      got[i]!.push(data[0] === 0x00 ? 'check' : data.toString());
    };
  }
  // Each client's first datagram is a check that names its transport's ufrag: the tuple is routed from then on.
  for (const [i, ufrag] of ufrags.entries()) {
    const m = new Message(methods.BINDING, classes.REQUEST);
    m.setAttribute('USERNAME', `${ufrag}:remote`);
    m.addMessageIntegrity(Buffer.from(`password-of-${ufrag}-0123456789`));
    m.addFingerprint();
    await send(clients[i]!, m.bytes, port);
  }
  await waitFor(() => got.every((g) => g.length === 1), 'both checks delivered');
  assert.equal(mux.size.tuples, 2);

  await send(clients[0]!, Buffer.from('bad record'), port);
  await send(clients[0]!, Buffer.from('next'), port);
  await send(clients[1]!, Buffer.from('other'), port);
  await waitFor(() => got[0]!.length === 2 && got[1]!.length === 2, 'the next datagrams delivered');
  assert.deepEqual(got, [
    ['check', 'next'],
    ['check', 'other'],
  ]);
  assert.deepEqual(mux.counters, { dropped: 0, answered: 0, failed: 1 });
  assert.equal(mux.size.tuples, 2, 'the failing datagram cost its client nothing but itself');
});

test('a closed transport releases its tuples; its old tuple is then unknown', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const players = [new TestPlayer(stun), new TestPlayer(stun)];
  t.after(() => closeAll(router, pub, ...players));
  await pub.publish(router, 's');
  const [gone, stays] = await Promise.all(players.map((p, i) => p.play(router, `p${i}`, 's')));
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => players.every((p) => p.received.video.length > 5), 'media');
  assert.deepEqual(router.udpMux!.stats().tuples, 3);
  await gone!.close();
  const stats = router.udpMux!.stats();
  assert.equal(stats.transports, 2);
  assert.equal(stats.tuples, 2, 'the closed player’s tuple is gone');
  // A datagram from the closed player's tuple (its peer's own socket) is now unknown: dropped.
  const dropped = stats.dropped;
  const clientSocket = (
    players[0]!.pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as {
      nominated: { protocol: { transport: { socket: Socket } } };
    }
  ).nominated.protocol.transport.socket;
  const rtpLike = Buffer.alloc(40, 0);
  rtpLike[0] = 0x80;
  clientSocket.send(rtpLike, router.udpPort!, '127.0.0.1');
  await waitFor(() => router.udpMux!.stats().dropped > dropped, 'the old tuple’s datagram dropped');
  const received = players[1]!.received.video.length;
  await waitFor(() => players[1]!.received.video.length > received + 5, 'the other player still gets media');
  assert.equal(stays!.connectionState, 'connected');
});

test('a router in the port-range mode opens a socket per transport, and no mux', async (t) => {
  const router = new SfuRouter({ ice: { portRange: [42000, 42999] } });
  const pub = new TestPublisher(stun);
  t.after(() => closeAll(router, pub));
  assert.equal(router.udpMux, null);
  assert.equal(router.udpPort, null);
  await pub.publish(router, 's');
  const [port] = candidatePorts(pub.pc.remoteDescription!.sdp);
  assert.ok(port! >= 42000 && port! <= 42999, `a port of the range (${port})`);
});
