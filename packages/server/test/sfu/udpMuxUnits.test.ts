/** The mux's hand-written parts: the datagram scan of unknown tuples and the tuple key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classes, Message, methods } from 'werift';
import { scanBindingRequest } from '../../src/sfu/werift/udpMux/stunScan.js';
import { ipv4TupleKey } from '../../src/sfu/werift/udpMux/tupleKey.js';

test('a binding request gives its local ufrag (the first part of USERNAME), or null without USERNAME', () => {
  const m = new Message(methods.BINDING, classes.REQUEST);
  m.setAttribute('PRIORITY', 12345);
  m.setAttribute('USERNAME', 'ab12:zz99');
  m.addMessageIntegrity(Buffer.from('password-password-1234'));
  m.addFingerprint();
  assert.deepEqual(scanBindingRequest(m.bytes), { ufrag: 'ab12' });
  assert.deepEqual(scanBindingRequest(new Message(methods.BINDING, classes.REQUEST).bytes), { ufrag: null });
  const response = new Message(methods.BINDING, classes.RESPONSE);
  assert.equal(scanBindingRequest(response.bytes), null, 'a response is not a request');
  // An attribute that runs past the message is malformed.
  const truncated = Buffer.from(m.bytes.subarray(0, 28));
  assert.equal(scanBindingRequest(truncated), null);
});

test('any datagram scans without throwing', () => {
  const header = fc
    .record({ length: fc.nat(80), tail: fc.uint8Array({ maxLength: 120 }) })
    .map(({ length, tail }) => {
      // A valid header in front of random attributes, so the attribute walk is exercised too.
      const b = Buffer.alloc(20 + tail.length);
      b.writeUInt16BE(0x0001, 0);
      b.writeUInt16BE(length * 4, 2);
      b.writeUInt32BE(0x2112a442, 4);
      Buffer.from(tail).copy(b, 20);
      return b;
    });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        header,
      ),
      (data) => {
        const result = scanBindingRequest(data);
        assert.ok(result === null || result.ufrag === null || typeof result.ufrag === 'string');
      },
    ),
  );
});

test('the IPv4 tuple key tells every address and port apart', () => {
  const tuple = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 }));
  fc.assert(
    fc.property(tuple, tuple, ([a, p], [b, q]) => {
      assert.equal(ipv4TupleKey(a, p) === ipv4TupleKey(b, q), a === b && p === q);
    }),
  );
  assert.equal(ipv4TupleKey('255.255.255.255', 65535), 2 ** 48 - 1);
});
