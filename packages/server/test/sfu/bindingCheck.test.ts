/** The mux's own STUN check handling (udpMux/bindingCheck.ts), against werift's messages byte for byte. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classes, Message, methods, parseMessage } from 'werift';
import {
  bindingSuccess,
  IcePassword,
  readBindingCheck,
  verifyIntegrity,
} from '../../src/sfu/werift/udpMux/bindingCheck.js';

const PASSWORD = Buffer.from('0123456789abcdef0123456789abcdef');
const KEY = IcePassword.of(PASSWORD.toString());

/** A check as a controlling agent (libwebrtc, werift) sends it. */
function check(
  options: { useCandidate?: boolean; controlled?: boolean; fingerprint?: boolean } = {},
): Message {
  const m = new Message(methods.BINDING, classes.REQUEST);
  m.setAttribute('USERNAME', 'ab12:zz99');
  m.setAttribute('PRIORITY', 1853817087);
  if (options.controlled) m.setAttribute('ICE-CONTROLLED', 42n);
  else m.setAttribute('ICE-CONTROLLING', 42n);
  if (options.useCandidate) m.setAttribute('USE-CANDIDATE', null);
  m.addMessageIntegrity(PASSWORD);
  if (options.fingerprint !== false) m.addFingerprint();
  return m;
}

test('a check reads as its ufrag, its flags and where its integrity is; the integrity verifies', () => {
  for (const fingerprint of [true, false]) {
    const data = check({ useCandidate: true, fingerprint }).bytes;
    const read = readBindingCheck(data);
    assert.ok(read);
    assert.equal(read.ufrag, 'ab12');
    assert.equal(read.useCandidate, true);
    assert.equal(read.iceControlled, false);
    assert.equal(data.readUInt16BE(read.integrityAt), 0x0008);
    const before = Buffer.from(data);
    assert.equal(verifyIntegrity(data, read, KEY), true);
    assert.equal(verifyIntegrity(data, read, IcePassword.of('another password, same length!!!')), false);
    assert.deepEqual(data, before, 'the datagram is left as it came');
  }
  const plain = readBindingCheck(check().bytes);
  assert.equal(plain?.useCandidate, false);
  assert.equal(readBindingCheck(check({ controlled: true }).bytes)?.iceControlled, true);
});

test('a tampered check fails its integrity', () => {
  const data = Buffer.from(check().bytes);
  const read = readBindingCheck(data)!;
  data[24] = data[24]! ^ 1; // inside USERNAME
  assert.equal(verifyIntegrity(data, read, KEY), false);
});

test('the success response is the bytes werift writes, and verifies with werift', () => {
  const request = check({ useCandidate: true });
  for (const [address, port] of [
    ['198.18.0.7', 5000],
    ['127.0.0.1', 65535],
    ['255.0.1.254', 1],
  ] as const) {
    const ours = bindingSuccess(request.bytes, address, port, KEY);
    const werifts = new Message(methods.BINDING, classes.RESPONSE, request.transactionId)
      .setAttribute('XOR-MAPPED-ADDRESS', [address, port])
      .addMessageIntegrity(PASSWORD)
      .addFingerprint().bytes;
    assert.deepEqual(ours, werifts);
    const parsed = parseMessage(ours, PASSWORD);
    assert.ok(parsed, 'integrity and fingerprint verify');
    assert.deepEqual(parsed.getAttributeValue('XOR-MAPPED-ADDRESS'), [address, port]);
  }
});

test('what is not a plain check reads as null (werift handles it)', () => {
  const good = check().bytes;
  const cases: Record<string, Buffer> = {
    response: new Message(methods.BINDING, classes.RESPONSE).bytes,
    'no USERNAME': (() => {
      const m = new Message(methods.BINDING, classes.REQUEST);
      m.addMessageIntegrity(PASSWORD);
      return m.bytes;
    })(),
    'no MESSAGE-INTEGRITY': (() => {
      const m = new Message(methods.BINDING, classes.REQUEST);
      m.setAttribute('USERNAME', 'ab12:zz99');
      return m.bytes;
    })(),
    'a USERNAME without a colon': (() => {
      const m = new Message(methods.BINDING, classes.REQUEST);
      m.setAttribute('USERNAME', 'ab12');
      m.addMessageIntegrity(PASSWORD);
      return m.bytes;
    })(),
    'an unknown comprehension-required attribute': (() => {
      const m = new Message(methods.BINDING, classes.REQUEST);
      m.setAttribute('USERNAME', 'ab12:zz99');
      m.setAttribute('CHANGE-REQUEST', 0);
      m.addMessageIntegrity(PASSWORD);
      return m.bytes;
    })(),
    truncated: good.subarray(0, good.length - 4),
    'a wrong magic cookie': (() => {
      const b = Buffer.from(good);
      b.writeUInt32BE(0x2112a443, 4);
      return b;
    })(),
    'trailing bytes past the length': Buffer.concat([good, Buffer.alloc(4)]),
  };
  for (const [what, data] of Object.entries(cases)) assert.equal(readBindingCheck(data), null, what);
});

test('any datagram reads without throwing', () => {
  const good = check({ useCandidate: true }).bytes;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        // A real check with bytes flipped or cut: the attribute walk meets every kind of damage.
        fc
          .record({ at: fc.nat(good.length - 1), value: fc.nat(255), cut: fc.nat(good.length) })
          .map(({ at, value, cut }) => {
            const b = Buffer.from(good);
            b[at] = value;
            return b.subarray(0, Math.max(cut, 20));
          }),
      ),
      (data) => {
        const read = readBindingCheck(data);
        if (read !== null) assert.equal(typeof verifyIntegrity(data, read, KEY), 'boolean');
      },
    ),
  );
});
