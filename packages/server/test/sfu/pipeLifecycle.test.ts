/**
 * The life of a media pipe between two SFU routers: who closes it and how the other end learns (BYE, or
 * silence), what B's players see, bad requests and answers, garbage datagrams, and the routers' close.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { h264 as h264Codec } from '@parley/protocol';
import { RTCRtpCodecParameters } from 'werift';
import {
  type PipeCloseReason,
  type PipeIn,
  type PipeOut,
  SfuError,
  SfuRouter,
  sfuCodecs,
} from '../../src/sfu/index.js';
import { untilHandlesSettle } from '../support/handles.js';
import { udpSocketCount } from '../support/udpSockets.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { foreignSocket, openPipe, PipeRelay } from './support/pipes.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** The reason `pipe` closes with, once it does. */
function closed(pipe: PipeIn | PipeOut): Promise<PipeCloseReason> {
  return new Promise((resolve) => (pipe as PipeIn).once('close', resolve));
}

test("the publisher leaving A closes the pipe on both nodes; B's players idle, then resume on a new pipe", async (t) => {
  const a = new SfuRouter({ keyframeRequestIntervalMs: 100 });
  const b = new SfuRouter({ keyframeRequestIntervalMs: 100 });
  const pub = new TestPublisher(stun);
  const next = new TestPublisher(stun, { counterStart: 1_000_000 });
  const player = new TestPlayer(stun);
  t.after(() => closeAll(a, b, pub, next, player));
  const publisher = await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1');
  const playing = await player.play(b, 'p', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => player.received.video.length >= 20, 'media at B');
  stop();

  const [outClosed, inClosed] = [closed(pipeOut), closed(pipeIn)];
  await publisher.close('closed');
  assert.equal(await outClosed, 'sourceClosed');
  assert.equal(await inClosed, 'remoteClosed', 'the BYE reached B');
  assert.equal(a.pipeOut('b/1'), undefined);
  assert.equal(b.source('s'), undefined, 'B no longer serves the stream');
  // As when a local publisher leaves: the consumers idle, the player's transport stays for the rooms layer.
  assert.equal(playing.consumer('video')!.producer, null);
  assert.ok(!playing.closed);

  await next.publish(a, 's');
  const reopened = await openPipe(a, b, 's', 'b/2');
  assert.equal(b.source('s'), reopened.pipeIn);
  assert.equal(reopened.pipeIn.playerCount, 1, 'the idle player counts');
  const stopNext = next.pump(2);
  t.after(stopNext);
  await waitFor(
    () => player.received.video.filter((p) => p.counter > 1_000_000).length >= 20,
    'the new pipe at the idle player',
  );
  const list = player.received.video;
  for (let i = 1; i < list.length; i++) assert.equal(list[i]!.seq, (list[i - 1]!.seq + 1) & 0xffff);
});

test('B counts its players; closing the pipe on B closes the pipe-out on A', async (t) => {
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  const players = [new TestPlayer(stun), new TestPlayer(stun)];
  t.after(() => closeAll(a, b, pub, ...players));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1');
  const counts: number[] = [];
  pipeIn.on('players', (n) => counts.push(n));
  const transports = await Promise.all(players.map((p, i) => p.play(b, `p${i}`, 's')));
  for (const transport of transports) await transport.close('closed');
  assert.deepEqual(counts, [1, 2, 1, 0], 'the rooms layer starts its linger at 0');

  const outClosed = closed(pipeOut);
  await pipeIn.close();
  assert.equal(pipeIn.closedBecause, 'closed');
  assert.equal(await outClosed, 'remoteClosed', 'the BYE reached A');
  for (const producer of a.publisher('s')!.producerList) assert.equal(producer.sinkCount, 0);
  assert.equal(a.transportCount, 1);
  assert.equal(b.transportCount, 0);
  await assert.rejects(pipeIn.connect({} as never), (e) => e instanceof SfuError && e.code === 'CLOSED');
});

test('a router closing closes its pipes, tells the other node, and releases every socket', async (t) => {
  // Between tests only this file's STUN responder holds a socket, once the earlier tests' clients are released.
  const baseline = {
    kinds: ['UDPWrap'],
    handles: ['UDPWrap'],
    udpSockets: udpSocketCount() === null ? null : 1,
  };
  await untilHandlesSettle(baseline);
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  t.after(() => closeAll(a, b, pub));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1');
  const inClosed = closed(pipeIn);
  await a.close();
  assert.equal(pipeOut.closedBecause, 'routerClosed');
  assert.equal(await inClosed, 'remoteClosed');
  const second = await b.openPipeIn('s', 'b/2');
  await b.close();
  assert.equal(second.closedBecause, 'routerClosed');
  await pub.close();
  await untilHandlesSettle(baseline);
});

test('silence ends a pipe on both nodes; a pipe-in without an answer times out', async (t) => {
  const a = new SfuRouter({ pipeInactivityTimeoutMs: 400 });
  const b = new SfuRouter({ pipeInactivityTimeoutMs: 400, connectTimeoutMs: 300 });
  const pub = new TestPublisher(stun);
  const relay = await PipeRelay.start();
  t.after(() => closeAll(a, b, pub, relay));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1', relay);
  // No media at all: each end's keep-alives (every 100 ms here) hold the other open well past the timeout.
  const sent = { in: pipeIn.stats().rtcpSent, out: pipeOut.stats().rtcpSent };
  await waitFor(
    () => pipeIn.stats().rtcpSent >= sent.in + 6 && pipeOut.stats().rtcpSent >= sent.out + 6,
    'six keep-alives each way',
  );
  assert.ok(!pipeOut.closed && !pipeIn.closed);
  assert.equal(pipeOut.stats().packetsSent, 0);
  const [outClosed, inClosed] = [closed(pipeOut), closed(pipeIn)];
  relay.drop = () => true; // the link (or the other node) is gone: no BYE gets through
  assert.equal(await outClosed, 'inactive');
  assert.equal(await inClosed, 'inactive');

  const unanswered = await b.openPipeIn('s', 'b/2');
  assert.equal(await closed(unanswered), 'timeout');
  assert.equal(b.transportCount, 0);
});

test('a restarted publisher with another codec closes the pipe, for the remote node to reopen', async (t) => {
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  const h264 = new TestPublisher(stun, {
    codecs: { audio: sfuCodecs().audio, video: [new RTCRtpCodecParameters(h264Codec())] },
  });
  t.after(() => closeAll(a, b, pub, h264));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1');
  const inClosed = closed(pipeIn);
  // The switch happens when the new offer is answered; connecting the new publisher adds nothing here.
  await h264.pc.setLocalDescription(await h264.pc.createOffer());
  await a.publish('s', h264.pc.localDescription!.sdp);
  assert.equal(pipeOut.closedBecause, 'sourceChanged');
  assert.equal(await inClosed, 'remoteClosed');
});

test('bad requests and answers are refused clearly; a failed connect closes the pipe-in', async (t) => {
  const a = new SfuRouter({ maxTransports: 2 });
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  t.after(() => closeAll(a, b, pub));
  await pub.publish(a, 's');
  const pipeIn = await b.openPipeIn('s', 'b/1');
  const request = pipeIn.request;
  await assert.rejects(
    a.openPipeOut('nothing', request),
    (e) => e instanceof SfuError && e.code === 'STREAM_NOT_FOUND',
  );
  for (const bad of [
    { ...request, address: '10.1.2.3.4' },
    { ...request, port: 0 },
    { ...request, pipeID: '' },
    { address: request.address, port: request.port },
    null,
  ]) {
    await assert.rejects(a.openPipeOut('s', bad as never), TypeError, JSON.stringify(bad));
  }
  await assert.rejects(b.openPipeIn('s', 'x'.repeat(257)), TypeError);
  assert.equal(a.transportCount, 1, 'nothing left behind');

  const { answer } = await a.openPipeOut('s', request);
  const { answer: again, pipe: replacing } = await a.openPipeOut('s', request);
  assert.equal(a.transportCount, 2, 'the same pipe ID replaced the first pipe-out');
  assert.equal(a.pipeOut('b/1'), replacing);
  await assert.rejects(
    a.openPipeOut('s', { ...request, pipeID: 'b/other' }),
    (e) => e instanceof SfuError && e.code === 'TRANSPORT_LIMIT',
  );
  assert.notEqual(answer.port, again.port);
  await replacing.close();
  await assert.rejects(pipeIn.connect({ ...again, pipeID: 'b/other' }), TypeError);
  assert.equal(pipeIn.closedBecause, 'failed');
  const other = await b.openPipeIn('s', 'b/2');
  await assert.rejects(other.connect({ ...again, tracks: [] } as never), TypeError);
  const third = await b.openPipeIn('s', 'b/3');
  const { answer: good } = await a.openPipeOut('s', third.request);
  await third.connect(good);
  await assert.rejects(third.connect(good), (e) => e instanceof SfuError && e.code === 'NEGOTIATION_FAILED');
});

test('garbage datagrams change nothing: from elsewhere, or malformed from the expected address', async (t) => {
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  const relay = await PipeRelay.start();
  const stranger = await foreignSocket();
  t.after(() =>
    closeAll(a, b, pub, player, relay, { close: () => new Promise<void>((r) => stranger.close(r)) }),
  );
  await pub.publish(a, 's');

  // Before its answer a pipe-in listens to nobody.
  const early = await b.openPipeIn('s', 'b/early');
  for (let i = 0; i < 3; i++) stranger.send(Buffer.from('hello?'), early.request.port, '127.0.0.1');
  await waitFor(() => early.stats().ignored === 3, 'three datagrams ignored before the answer');
  await early.close();

  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/1', relay);
  await player.play(b, 'p', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => player.received.video.length >= 20, 'media at B');

  // From an address the pipes do not expect: even a well-formed BYE is not heard (the kernel drops it, as the
  // sockets are connected to the other end; the endpoint would drop it too).
  const byeFromStranger = Buffer.from([0x81, 203, 0, 1, 1, 2, 3, 4]);
  for (const port of [pipeIn.request.port, pipeOut.port]) {
    stranger.send(byeFromStranger, port, '127.0.0.1');
    stranger.send(Buffer.from('garbage'), port, '127.0.0.1');
  }
  const before = { in: pipeIn.stats().ignored, out: pipeOut.stats().ignored };
  const malformed = [
    Buffer.alloc(0),
    Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]), // version 0
    Buffer.from([0x8f, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2]), // RTP: 15 CSRCs announced, none there
    Buffer.from([0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0xff, 0xff]), // extension longer than the packet
    Buffer.from([0xa0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xff]), // padding longer than the packet
    Buffer.from([0x80, 201, 0xff, 0xff, 0, 0, 0, 1]), // RTCP length past the end
    Buffer.from([0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]), // a NACK without its entry
    Buffer.from([0x80, 50, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xab]), // RTP of no track (to B); RTP at all (to A)
    Buffer.from([0x81, 206, 0, 2, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]), // a PLI for no stream (to A); a PLI at all (to B)
  ];
  for (const data of malformed) {
    relay.inject(data, 'toRemote');
    relay.inject(data, 'toOrigin');
  }
  await waitFor(
    () =>
      pipeIn.stats().ignored === before.in + malformed.length &&
      pipeOut.stats().ignored === before.out + malformed.length,
    () =>
      `every malformed datagram ignored (B ${pipeIn.stats().ignored - before.in}, A ${pipeOut.stats().ignored - before.out} of ${malformed.length})`,
  );
  assert.ok(!pipeIn.closed && !pipeOut.closed, 'both ends stay open');
  const received = player.received.video.length;
  await waitFor(() => player.received.video.length >= received + 50, 'media still flowing at B');
  stop();
  const origin = a.publisher('s')!;
  for (const producer of origin.producerList) {
    assert.equal(
      pipeOut.track(producer.kind)!.stats().packetsSent,
      producer.stats().packets,
      `${producer.kind}: still one copy per packet`,
    );
  }
});
