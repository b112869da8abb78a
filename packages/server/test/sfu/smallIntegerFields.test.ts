/**
 * The small-integer halves the forwarding path keeps RTP timestamps and times in (smallIntegerFields.ts): every
 * 32-bit value comes back whole, every half is a small integer (below 2^30), and a time comes back to the
 * microsecond.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { high16, join16, joinMillis, low16, microsPast, seconds } from '../../src/sfu/smallIntegerFields.js';

const SMALL = 2 ** 30;

test('a 32-bit value is its two 16-bit halves, each a small integer', () => {
  for (const value of [0, 1, 0xffff, 0x10000, SMALL - 1, SMALL, 0x7fffffff, 0x80000000, 0xffffffff]) {
    assert.equal(join16(high16(value), low16(value)), value);
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
      const [high, low] = [high16(value), low16(value)];
      assert.ok(Number.isInteger(high) && high >= 0 && high < SMALL);
      assert.ok(Number.isInteger(low) && low >= 0 && low < SMALL);
      assert.equal(join16(high, low), value);
    }),
  );
});

test('a time in milliseconds is whole seconds and microseconds, back to the microsecond', () => {
  for (const ms of [0, 0.001, 999.9995, 1000, 123456.789, 2 ** 31 + 0.5]) {
    const whole = seconds(ms);
    assert.ok(Math.abs(joinMillis(whole, microsPast(ms, whole)) - ms) <= 0.0005 + 1e-9, String(ms));
  }
  // performance.now() over 30 years of uptime (whole seconds stay small integers for 34).
  fc.assert(
    fc.property(fc.double({ min: 0, max: 30 * 365 * 86_400_000, noNaN: true }), (ms) => {
      const whole = seconds(ms);
      const micros = microsPast(ms, whole);
      assert.ok(Number.isInteger(whole) && whole < SMALL);
      assert.ok(Number.isInteger(micros) && micros >= 0 && micros <= 1_000_000);
      assert.ok(Math.abs(joinMillis(whole, micros) - ms) <= 0.0005 + ms * 2 ** -50);
    }),
  );
});
