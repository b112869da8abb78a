/**
 * The fields the fast path moves off werift's sender and DTLS transport (senderFields.ts): one value, reached
 * by werift through its own field names and by the fast path directly, and a decision to send that follows
 * every write of a field it depends on. On real werift objects (built as the start-up shape check builds them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type RTCDtlsTransport, RTCRtpCodecParameters, type RTCRtpSender } from 'werift';
import { FastRtpSender } from '../../src/sfu/FastRtpSender.js';
import { weriftShapeSubjects } from '../../src/sfu/werift/checkWeriftShapes.js';
import { dtlsFieldsOf } from '../../src/sfu/werift/senderFields.js';
import { DTLS_COUNTERS, SENDER_COUNTERS, senderInternals } from '../../src/sfu/werift/shapes.js';
import { installFastSrtp } from '../../src/sfu/werift/weriftSrtp.js';

type SenderCounter = (typeof SENDER_COUNTERS)[number];
type DtlsCounter = (typeof DTLS_COUNTERS)[number];
/** The fast path's own name of the DTLS transport's counter it adds to. */
const FAST_DTLS = { bytesSent: 'dtlsBytesSent', packetsSent: 'dtlsPacketsSent' } as const;

test('a counter moved off werift reads the same through werift and the fast path, whoever wrote it', async () => {
  const op = fc.oneof(
    fc.record({
      on: fc.constant('sender' as const),
      counter: fc.constantFrom(...SENDER_COUNTERS),
      by: fc.constantFrom('werift', 'fast'),
      which: fc.constantFrom(0, 1),
      add: fc.integer({ min: 0, max: 1500 }),
    }),
    fc.record({
      on: fc.constant('dtls' as const),
      counter: fc.constantFrom(...DTLS_COUNTERS),
      // werift's own sends and the sender reports write the transport's field; each fast path its own count.
      by: fc.constantFrom('werift', 'fast'),
      which: fc.constantFrom(0, 1),
      add: fc.integer({ min: 0, max: 1500 }),
    }),
    // A sender report (SenderReports): counted on the transport's own part, bytes and a packet in one call.
    fc.record({ on: fc.constant('report' as const), add: fc.integer({ min: 0, max: 1500 }) }),
    // A consumer closes: what it counted on the transport stays counted.
    fc.record({ on: fc.constant('close' as const), which: fc.constantFrom(0, 1) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      // Two players' senders (audio and video) on one DTLS transport, as a subscriber transport has them.
      const a = weriftShapeSubjects();
      const b = weriftShapeSubjects();
      try {
        const dtls = a.subjects.dtls as RTCDtlsTransport & Record<DtlsCounter, number>;
        const senders = [a.subjects.sender, b.subjects.sender] as (RTCRtpSender &
          Record<SenderCounter, number> & { dtlsTransport: RTCDtlsTransport })[];
        const senderModel = [new Map<string, number>(), new Map<string, number>()];
        for (const [i, sender] of senders.entries()) {
          for (const c of SENDER_COUNTERS) {
            sender[c] = 7 + i; // values werift had before the move are carried over
            senderModel[i]!.set(c, 7 + i);
          }
          sender.dtlsTransport = dtls;
        }
        dtls.bytesSent = 1000;
        dtls.packetsSent = 10;
        const dtlsModel = new Map<string, number>([
          ['bytesSent', 1000],
          ['packetsSent', 10],
        ]);
        const fasts = senders.map((s) => new FastRtpSender(s));
        for (const fast of fasts) void fast.payloadType; // resolves: joins the DTLS transport
        const closed = [false, false];
        for (const o of ops) {
          if (o.on === 'close') {
            fasts[o.which]!.close();
            closed[o.which] = true;
            continue;
          }
          if (o.on === 'report') {
            dtlsFieldsOf(dtls).countSent(o.add, 1);
            dtlsModel.set('bytesSent', dtlsModel.get('bytesSent')! + o.add);
            dtlsModel.set('packetsSent', dtlsModel.get('packetsSent')! + 1);
            for (const c of DTLS_COUNTERS) assert.equal(dtls[c], dtlsModel.get(c), `werift's DTLS ${c}`);
            continue;
          }
          const fast = fasts[o.which] as unknown as Record<string, number>;
          if (o.on === 'sender') {
            const sender = senders[o.which]!;
            if (o.by === 'werift') sender[o.counter] += o.add;
            else fast[o.counter]! += o.add;
            const model = senderModel[o.which]!;
            model.set(o.counter, model.get(o.counter)! + o.add);
            assert.equal(sender[o.counter], model.get(o.counter), `werift's ${o.counter}`);
            assert.equal(fast[o.counter], model.get(o.counter), `the fast path's ${o.counter}`);
          } else {
            if (o.by === 'werift') dtls[o.counter] += o.add;
            else if (!closed[o.which]) fast[FAST_DTLS[o.counter]]! += o.add;
            else continue; // a closed fast path sends nothing more
            dtlsModel.set(o.counter, dtlsModel.get(o.counter)! + o.add);
          }
          for (const c of DTLS_COUNTERS) assert.equal(dtls[c], dtlsModel.get(c), `werift's DTLS ${c}`);
        }
      } finally {
        await a.dispose();
        await b.dispose();
      }
    }),
    { numRuns: 30 },
  );
});

test('the fast path decides again after each write of a field it depends on', async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const sender = built.subjects.sender as RTCRtpSender & Record<string, unknown>;
  const fast = new FastRtpSender(sender);
  const payload = Buffer.alloc(10);
  // DTLS is not up on these objects: werift's pipeline must send.
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false);
  assert.equal(fast.payloadType, undefined, 'no codec negotiated on these objects');
  sender['codec'] = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 101 });
  assert.equal(fast.payloadType, 101, 'a new codec is seen at once');
  sender['stopped'] = true;
  assert.equal(fast.send(false, 96, 1, 1, payload, false), true, 'a stopped sender drops, as werift does');
  assert.equal(fast.packetCount, 0, 'and counts nothing');
  sender['stopped'] = false;
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false, 'not stopped: werift sends again');
  // A DTLS transport's write is seen by every fast path on it, until it closes.
  const dtls = built.subjects.dtls as RTCDtlsTransport & Record<string, unknown>;
  sender['dtlsTransport'] = dtls;
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false);
  const fields = dtlsFieldsOf(dtls);
  let changes = 0;
  const stop = fields.join({ dtlsBytesSent: 0, dtlsPacketsSent: 0 }, () => {
    changes += 1;
  });
  dtls['state'] = 'connected';
  assert.equal(changes, 1);
  assert.equal(dtls['state'], 'connected');
  assert.equal(fields.checked['state'], 'connected');
  // Connected, but werift's own SRTP session is in place (not ours): still werift's pipeline.
  assert.equal(fast.send(false, 96, 1, 1, payload, false), false);
  stop();
  fast.close();
  dtls['state'] = 'closed';
  assert.equal(changes, 1, 'a listener that stopped is not called');
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
  const { srtpSession, srtcpSession } = built.subjects;
  const sender = built.subjects.sender as RTCRtpSender;
  const dtls = built.subjects.dtls as RTCDtlsTransport;
  const werift = senderInternals(sender);
  // DTLS up with the SFU's SRTP contexts, as after a handshake: the fast path sends. No pair is nominated on
  // these objects, so its route hands each packet to werift's send, which drops it.
  Object.assign(dtls, { srtp: srtpSession, srtcp: srtcpSession, srtpStarted: true });
  installFastSrtp(dtls);
  (dtls as unknown as { state: string }).state = 'connected';
  const fast = new FastRtpSender(sender);
  assert.equal(werift.timestamp, undefined, 'werift: no packet sent yet');
  assert.equal(fast.timestamp, undefined);

  const payload = Buffer.alloc(10);
  let seq = 65_530;
  // Small integers and numbers past 2^30 (which V8 stores apart), up to the largest RTP timestamp.
  for (const ts of [0, 2 ** 30 - 1, 2 ** 30, 0xdeadbeef, 2 ** 32 - 1, 7]) {
    seq = (seq + 1) & 0xffff;
    assert.equal(fast.send(false, 96, seq, ts, payload, false), true, 'sent on the fast path');
    assert.equal(werift.timestamp, ts, `werift reads the newest packet's timestamp ${ts}`);
    assert.equal(fast.timestamp, ts);
    assert.equal(werift.sequenceNumber, seq);
  }
  assert.equal(fast.send(false, 96, 1, 0xfeedface, payload, true), true);
  assert.equal(werift.timestamp, 7, 'a retransmission is not the newest packet');
  assert.equal(werift.packetCount, 6);

  // werift's own pipeline writes through the accessor, and may write undefined back.
  werift.timestamp = 0xfffffffe;
  assert.equal(fast.timestamp, 0xfffffffe);
  werift.timestamp = undefined;
  assert.equal(fast.timestamp, undefined);
  assert.equal(werift.timestamp, undefined);
  werift.timestamp = 0;
  assert.equal(werift.timestamp, 0, 'zero is a timestamp, not "none"');
});
