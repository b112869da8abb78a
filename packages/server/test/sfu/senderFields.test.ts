/**
 * The fields the fast path keeps beside werift's sender and DTLS transport (senderFields.ts): what it sends is
 * counted on its own object and is in werift's counters whenever werift reads them (its stats, here), its
 * decision to send follows every werift method that changes a field it depends on, and werift's objects keep
 * their hidden classes. On real werift objects (built as the start-up shape check builds them), with packets
 * sent through the fast path itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type RTCDtlsTransport, RTCRtpCodecParameters, type RTCRtpSender } from 'werift';
import { FastRtpSender } from '../../src/sfu/FastRtpSender.js';
import { weriftShapeSubjects } from '../../src/sfu/werift/checkWeriftShapes.js';
import { dtlsFieldsOf, hookedMethodProblems } from '../../src/sfu/werift/senderFields.js';
import { senderInternals } from '../../src/sfu/werift/shapes.js';
import { installFastSrtp } from '../../src/sfu/werift/weriftSrtp.js';
import { hasFastProperties } from './support/fastProperties.js';

/** The SRTP tag of the profile the subjects use (AES-CM, 80-bit tag). */
const TAG = 10;
const HEADER = 12;

interface Dtls {
  setState(state: string): void;
  bytesSent: number;
  packetsSent: number;
  state: string;
}

/** DTLS up with the SFU's SRTP contexts, as after a handshake, through werift's own methods. */
function connect(built: ReturnType<typeof weriftShapeSubjects>, dtls: RTCDtlsTransport): void {
  const { srtpSession, srtcpSession } = built.subjects;
  Object.assign(dtls, { srtp: srtpSession, srtcp: srtcpSession, srtpStarted: true });
  installFastSrtp(dtls);
  (dtls as unknown as Dtls).setState('connected');
}

/** werift's own stats of `sender` and its DTLS transport (its report is a Map of stats by id). */
async function weriftStats(
  sender: RTCRtpSender,
): Promise<{ out: Record<string, unknown>; transport: Record<string, unknown> }> {
  const report = (await sender.getStats()) as unknown as Map<string, Record<string, unknown>>;
  const list = [...report.values()];
  const out = list.find((s) => s['type'] === 'outbound-rtp');
  const transport = list.find((s) => s['type'] === 'transport');
  assert.ok(out && transport, 'werift reports the stream and its transport');
  return { out, transport };
}

test("what the fast path and werift's pipeline send is exact in werift's stats and in the fast path's counts", async () => {
  const op = fc.oneof(
    // The fast path sends a packet (in order, or a retransmission) of one of the two senders.
    fc.record({
      on: fc.constant('fast' as const),
      which: fc.constantFrom(0, 1),
      length: fc.integer({ min: 1, max: 1200 }),
      retransmission: fc.boolean(),
    }),
    // werift's own pipeline sends one (what dispatchRtp and RTCDtlsTransport.sendRtp count).
    fc.record({
      on: fc.constant('werift' as const),
      which: fc.constantFrom(0, 1),
      length: fc.integer({ min: 1, max: 1200 }),
    }),
    // A sender report (SenderReports): counted on the transport.
    fc.record({ on: fc.constant('report' as const), length: fc.integer({ min: 1, max: 200 }) }),
    // A consumer closes: what it counted stays counted.
    fc.record({ on: fc.constant('close' as const), which: fc.constantFrom(0, 1) }),
    // Someone reads werift's stats.
    fc.record({ on: fc.constant('stats' as const), which: fc.constantFrom(0, 1) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      // Two senders (audio and video) on one DTLS transport, as a subscriber transport has them.
      const a = weriftShapeSubjects();
      const b = weriftShapeSubjects();
      try {
        const dtls = a.subjects.dtls as RTCDtlsTransport;
        const senders = [a.subjects.sender, b.subjects.sender] as RTCRtpSender[];
        const werift = senders.map((s) => senderInternals(s));
        const model = senders.map((_, i) => ({
          packetCount: 7 + i, // what werift counted before the fast path came
          octetCount: 700 + i,
          headerBytesSent: 84 + i,
          retransmittedPacketsSent: 0,
          retransmittedBytesSent: 0,
        }));
        for (const [i, w] of werift.entries()) Object.assign(w, model[i]);
        for (const sender of senders)
          (sender as unknown as { setDtlsTransport(d: RTCDtlsTransport): void }).setDtlsTransport(dtls);
        const own = dtls as unknown as Dtls;
        own.bytesSent = 1000;
        own.packetsSent = 10;
        const dtlsModel = { bytesSent: 1000, packetsSent: 10 };
        const fasts = senders.map((s) => new FastRtpSender(s));
        connect(a, dtls);
        /** One RTP packet of `length` payload bytes sent, in the model of its sender and of the transport. */
        const expectSent = (m: (typeof model)[number], length: number, retransmission: boolean): void => {
          if (retransmission) {
            m.retransmittedPacketsSent += 1;
            m.retransmittedBytesSent += length;
          } else {
            m.packetCount += 1;
            m.octetCount += length;
          }
          m.headerBytesSent += HEADER;
          dtlsModel.bytesSent += HEADER + length + TAG;
          dtlsModel.packetsSent += 1;
        };
        const closed = [false, false];
        const seq = [100, 200];
        for (const o of ops) {
          if (o.on === 'fast') {
            if (closed[o.which]) continue; // a closed consumer sends nothing more
            seq[o.which] = (seq[o.which]! + 1) & 0xffff;
            const sent = fasts[o.which]!.send(
              false,
              96,
              seq[o.which]!,
              5000,
              Buffer.alloc(o.length, 1),
              o.retransmission,
            );
            assert.equal(sent, true, 'sent on the fast path');
            expectSent(model[o.which]!, o.length, o.retransmission);
          } else if (o.on === 'werift') {
            // What werift's pipeline counts on its own fields.
            const w = werift[o.which]!;
            w.packetCount += 1;
            w.octetCount += o.length;
            w.headerBytesSent += HEADER;
            own.bytesSent += HEADER + o.length + TAG;
            own.packetsSent += 1;
            expectSent(model[o.which]!, o.length, false);
          } else if (o.on === 'report') {
            dtlsFieldsOf(dtls).countSent(o.length, 1);
            dtlsModel.bytesSent += o.length;
            dtlsModel.packetsSent += 1;
          } else if (o.on === 'close') {
            fasts[o.which]!.close();
            closed[o.which] = true;
          } else {
            const { out, transport } = await weriftStats(senders[o.which]!);
            const m = model[o.which]!;
            assert.equal(out['packetsSent'], m.packetCount, "werift's packetsSent");
            assert.equal(out['bytesSent'], m.octetCount, "werift's bytesSent");
            assert.equal(out['headerBytesSent'], m.headerBytesSent, "werift's headerBytesSent");
            assert.equal(out['retransmittedPacketsSent'] ?? 0, m.retransmittedPacketsSent);
            assert.equal(out['retransmittedBytesSent'] ?? 0, m.retransmittedBytesSent);
            assert.equal(transport['bytesSent'], dtlsModel.bytesSent, "werift's transport bytesSent");
            assert.equal(transport['packetsSent'], dtlsModel.packetsSent, "werift's transport packetsSent");
          }
          for (const [i, fast] of fasts.entries()) {
            assert.equal(fast.packetCount, model[i]!.packetCount, 'the counts the sender reports carry');
            assert.equal(fast.octetCount, model[i]!.octetCount);
          }
        }
      } finally {
        await a.dispose();
        await b.dispose();
      }
    }),
    { numRuns: 30 },
  );
});

test('the fast path decides again after each werift method that writes a field it depends on', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const sender = built.subjects.sender as RTCRtpSender;
  const werift = sender as unknown as {
    prepareSend(params: unknown): void;
    scheduleRtpContinuity(): void;
    stop(): void;
    rtpContinuityPending: boolean;
  };
  const dtls = built.subjects.dtls as RTCDtlsTransport;
  const fast = new FastRtpSender(sender);
  const payload = Buffer.alloc(10);
  // DTLS is not up on these objects: werift's pipeline must send.
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false);
  assert.equal(fast.payloadType, undefined, 'no codec negotiated on these objects');
  const codec = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 101 });
  werift.prepareSend({ codecs: [codec], headerExtensions: [], rtcp: { cname: 'c' }, muxId: '0' });
  assert.equal(fast.payloadType, 101, 'a new codec is seen at once');
  // Every fast path on the DTLS transport hears of its state and SRTP sessions.
  let changes = 0;
  const stop = dtlsFieldsOf(dtls).join({ dtlsBytesSent: 0, dtlsPacketsSent: 0 }, () => {
    changes += 1;
  });
  (dtls as unknown as Dtls).setState('connected');
  assert.equal(changes, 1, 'setState');
  // Connected, but werift's own SRTP session is in place (not ours): still werift's pipeline.
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false);
  connect(built, dtls);
  assert.ok(changes >= 2, 'the SRTP swap');
  assert.equal(
    fast.send(false, 96, 2, 1, payload, false),
    true,
    'DTLS up with our SRTP: the fast path sends',
  );
  // werift's continuity rewrite (replaceTrack) would renumber: its pipeline takes over until it is done.
  werift.scheduleRtpContinuity();
  assert.equal(fast.send(false, 96, 3, 1, payload, false), false, 'werift renumbers now');
  werift.rtpContinuityPending = false; // as dispatchRtp leaves it, through its own hooked method in practice
  (sender as unknown as { detachTrack(): void }).detachTrack();
  assert.equal(fast.send(false, 96, 4, 1, payload, false), true, 'continuity done: fast again');
  const before = fast.packetCount;
  werift.stop();
  assert.equal(fast.send(false, 96, 5, 1, payload, false), true, 'a stopped sender drops, as werift does');
  assert.equal(fast.packetCount, before, 'and counts nothing');
  stop();
  fast.close();
  (dtls as unknown as Dtls).setState('closed');
  assert.ok(changes >= 2);
  const afterStop = changes;
  (dtls as unknown as Dtls).setState('failed');
  assert.equal(changes, afterStop, 'a listener that stopped is not called');
});

test("werift's sender and DTLS transport keep their hidden classes (no property dictionary)", async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const sender = built.subjects.sender as RTCRtpSender;
  const dtls = built.subjects.dtls as RTCDtlsTransport;
  assert.ok(hasFastProperties(sender) && hasFastProperties(dtls), 'as werift makes them');
  const fast = new FastRtpSender(sender);
  connect(built, dtls);
  assert.equal(fast.send(false, 96, 1, 1, Buffer.alloc(100), false), true);
  await sender.getStats();
  assert.ok(hasFastProperties(sender), 'the sender, with its fast path');
  assert.ok(hasFastProperties(dtls), 'the DTLS transport, with its fast paths');
});

test("the hooked methods are exactly werift's methods that write a checked field or read a counter", () => {
  assert.deepEqual(hookedMethodProblems(), []);
});

test('a sender gets one fast path', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const sender = built.subjects.sender as RTCRtpSender;
  new FastRtpSender(sender);
  assert.throws(() => new FastRtpSender(sender), /already has a fast path/);
});

test("the sender's timestamp: undefined before the first packet, then exactly the newest packet's", async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const sender = built.subjects.sender as RTCRtpSender;
  const dtls = built.subjects.dtls as RTCDtlsTransport;
  const werift = senderInternals(sender);
  // No pair is nominated on these objects, so the fast path's route hands each packet to werift's send,
  // which drops it.
  connect(built, dtls);
  const fast = new FastRtpSender(sender);
  assert.equal(werift.timestamp, undefined, 'werift: no packet sent yet');
  assert.equal(fast.timestamp, undefined);

  const payload = Buffer.alloc(10);
  let seq = 65_530;
  // Small integers and numbers past 2^30 (which V8 stores apart), up to the largest RTP timestamp.
  for (const ts of [0, 2 ** 30 - 1, 2 ** 30, 0xdeadbeef, 2 ** 32 - 1, 7]) {
    seq = (seq + 1) & 0xffff;
    assert.equal(fast.send(false, 96, seq, ts, payload, false), true, 'sent on the fast path');
    assert.equal(fast.timestamp, ts);
    assert.equal(fast.sequenceNumber, seq);
    await sender.getStats(); // a werift method that reads the counters: they are added first
    assert.equal(werift.timestamp, ts, `werift reads the newest packet's timestamp ${ts}`);
    assert.equal(werift.sequenceNumber, seq);
  }
  assert.equal(fast.send(false, 96, 1, 0xfeedface, payload, true), true);
  await sender.getStats();
  assert.equal(werift.timestamp, 7, 'a retransmission is not the newest packet');
  assert.equal(werift.packetCount, 6);

  // werift's own pipeline writes its fields; the newest is then werift's, undefined included.
  werift.timestamp = 0xfffffffe;
  assert.equal(fast.timestamp, 0xfffffffe);
  werift.timestamp = undefined;
  assert.equal(fast.timestamp, undefined);
  assert.equal(fast.send(false, 96, 2, 0, payload, false), true);
  assert.equal(fast.timestamp, 0, 'zero is a timestamp, not "none"');
  await sender.getStats();
  assert.equal(werift.timestamp, 0);
});
