/**
 * The private werift shapes the SFU relies on (src/sfu/werift/shapes.ts), pinned against the installed werift:
 * the start-up check passes on werift 0.25.2 without opening a socket, names the version and each missing
 * shape when one is gone, and the shape it cannot build without I/O (a nominated pair's UDP transport, which
 * sendOnPair reads) is there on a live connection.
 */
import assert from 'node:assert/strict';
import { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, before, type TestContext, test } from 'node:test';
import { Connection, RTCIceTransport, RTCRtpSender } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import {
  checkWeriftShapes,
  installedWeriftVersion,
  TESTED_WERIFT_VERSION,
  WeriftShapeError,
  weriftShapeProblems,
  weriftShapeSubjects,
} from '../../src/sfu/werift/checkWeriftShapes.js';
import { iceConnectionOf, senderInternals } from '../../src/sfu/werift/shapes.js';
import { closeAll, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

const sockets = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'TCPWrap').length;

test('the installed werift is the version the shapes are declared for, and the server pins it', () => {
  const pinned = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.equal(pinned.dependencies.werift, TESTED_WERIFT_VERSION);
  assert.equal(installedWeriftVersion(), TESTED_WERIFT_VERSION);
  assert.equal(TESTED_WERIFT_VERSION, '0.25.2');
});

test('werift 0.25.2 has every shape, and checking opens no socket', async () => {
  const before = sockets();
  const built = weriftShapeSubjects();
  assert.deepEqual(weriftShapeProblems(built.subjects), []);
  assert.equal(sockets(), before, 'no socket opened to build the subjects');
  await built.dispose();
  assert.doesNotThrow(() => checkWeriftShapes());
  assert.equal(sockets(), before);
});

/** Adds `methods` to werift's `proto` for the test, as if a werift release had them; removed after it. */
function addForTest(t: TestContext, proto: object, methods: Record<string, unknown>): void {
  const target = proto as Record<string, unknown>;
  Object.assign(target, methods);
  t.after(() => {
    for (const name of Object.keys(methods)) delete target[name];
  });
}

/** The error the shape check throws for `subjects` (the test fails if it throws none or another). */
function shapeErrorOf(subjects: Parameters<typeof checkWeriftShapes>[0]): WeriftShapeError {
  try {
    checkWeriftShapes(subjects);
  } catch (e) {
    assert.ok(e instanceof WeriftShapeError);
    return e;
  }
  assert.fail('the shape check passed');
}

test('a missing shape stops the check with the werift version and the shape named', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const { subjects } = built;
  delete (subjects.sender as any).packetCount;
  (subjects.ice as any).checkComplete = 'not a method';
  delete (subjects.srtpSession as any).config.keys.remoteMasterSalt;
  const error = shapeErrorOf(subjects);
  assert.deepEqual(error.problems, [
    'RTCRtpSender.packetCount: number',
    'ice Connection.checkComplete: function',
    'SrtpSession.config.keys.remoteMasterSalt: object',
    // senderFields.ts moves it off the sender: it must be there as an own data property too.
    'RTCRtpSender.packetCount: own data property',
  ]);
  assert.equal(error.version, '0.25.2');
  assert.match(
    error.message,
    /^werift 0\.25\.2 lacks what Parley's SFU relies on .*RTCRtpSender\.packetCount/,
  );
});

test("a werift ICE method that writes nominated or reads a pair's counters, and is not hooked, stops the check", async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  // As if a werift release had added them: one renominates, one reads a pair's count for its own stats.
  addForTest(t, Connection.prototype, {
    parleyTestNominate(this: { nominated: unknown }) {
      this.nominated = undefined;
    },
  });
  addForTest(t, RTCIceTransport.prototype, {
    parleyTestCount: (pair: { packetsSent: number }) => pair.packetsSent,
  });
  const error = shapeErrorOf(built.subjects);
  assert.deepEqual(error.problems, [
    'Connection.parleyTestNominate writes nominated, unhooked: a route would miss the new pair',
    "RTCIceTransport.parleyTestCount reads a pair's packetsSent/bytesSent, unhooked: a short count",
  ]);
});

test('a field the fast path counts beside werift or reads from it must be an own data property', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const { subjects } = built;
  // A werift whose DTLS transport had a `state` getter: the value is there, but its writes are not the
  // methods' own assignments that the hooks are checked against.
  let state = 'new';
  Object.defineProperty(subjects.dtls, 'state', {
    configurable: true,
    get: () => state,
    set: (v) => (state = v),
  });
  const error = shapeErrorOf(subjects);
  assert.deepEqual(error.problems, ['RTCDtlsTransport.state: own data property']);
});

test('a werift method that writes a checked field or reads a counter, and is not hooked, stops the check', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  // As if a werift release had added them: one changes the codec, one reads the octet count.
  addForTest(t, RTCRtpSender.prototype, {
    parleyTestCodec(this: { codec: unknown }) {
      this.codec = undefined;
    },
    parleyTestOctets(this: { octetCount: number }) {
      return this.octetCount;
    },
  });
  const error = shapeErrorOf(built.subjects);
  assert.deepEqual(error.problems, [
    'RTCRtpSender.parleyTestCodec writes a checked field or reads a counter, unhooked',
    'RTCRtpSender.parleyTestOctets writes a checked field or reads a counter, unhooked',
  ]);
});

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

test('on a live connection: the nominated pair sends on a UDP transport with a socket, as sendOnPair reads it', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun, { kinds: ['audio'] });
  t.after(() => closeAll(router, pub));
  const transport = await pub.publish(router, 'stream-1');
  const transceiver = pub.pc.getTransceivers()[0]!;
  const pair = iceConnectionOf(transceiver.dtlsTransport).nominated;
  assert.ok(pair, 'a nominated pair');
  const udp = pair.protocol.transport;
  assert.equal(udp?.type, 'udp');
  assert.equal(udp?.closed, false);
  assert.ok(udp?.socket instanceof Socket);
  assert.equal(pair.remoteCandidate.host, '127.0.0.1');
  assert.equal(typeof pair.remoteCandidate.port, 'number');
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const live = { ...built.subjects, pair, protocol: pair.protocol, dtls: transceiver.dtlsTransport };
  assert.deepEqual(weriftShapeProblems({ ...live, ice: iceConnectionOf(transceiver.dtlsTransport) }), []);
  // The SFU's side: its own SRTP contexts replaced werift's on connect.
  assert.equal(transport.fastSrtpProfile, 'AES_CM_128_HMAC_SHA1_80');
  // A sender's private counters are the ones werift's pipeline keeps (the SFU's reports read them).
  const sender = senderInternals(transceiver.sender);
  const sent = sender.packetCount;
  pub.send('audio');
  await waitFor(() => sender.packetCount === sent + 1, 'the packet counted');
  assert.equal(sender.octetCount > 0, true);
});
