import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SdpExchange } from '../src/SdpExchange.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';

test('a publish exchange: one offer, then one SDP answer', () => {
  const e = new SdpExchange();
  assert.throws(() => e.answer(SDP), /setAnswer\(\) before createOffer\(\)/);
  e.offer();
  assert.throws(() => e.offer(), /createOffer\(\) was already called/);
  assert.throws(() => e.answer('not sdp'), {
    name: 'TypeError',
    message: 'the answer must be an SDP string',
  });
  assert.throws(() => e.answer(42), TypeError);
  assert.equal(e.answer(SDP), SDP, 'a refused answer does not count: the right one is still taken');
  assert.throws(() => e.answer(SDP), /the answer was already applied/);
});

test('a play exchange: one SDP offer accepted', () => {
  const e = new SdpExchange();
  assert.throws(() => e.acceptOffer(undefined), {
    name: 'TypeError',
    message: 'the offer must be an SDP string',
  });
  assert.equal(e.acceptOffer(SDP), SDP);
  assert.throws(() => e.acceptOffer(SDP), /acceptOffer\(\) was already called/);
});
