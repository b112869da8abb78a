import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter } from '../src/index.js';

type Events = { ping: [n: number]; pair: [a: string, b: boolean]; none: [] };

test('on/emit pass the positional arguments; emit reports whether anyone listened', () => {
  const e = new TypedEmitter<Events>();
  const got: unknown[] = [];
  assert.equal(e.emit('none'), false);
  e.on('pair', (a, b) => got.push(a, b));
  assert.equal(e.emit('pair', 'x', true), true);
  assert.deepEqual(got, ['x', true]);
});

test('once fires a single time; off removes one listener or all of an event', () => {
  const e = new TypedEmitter<Events>();
  const calls: string[] = [];
  const a = (n: number): void => {
    calls.push(`a${n}`);
  };
  e.once('ping', (n) => calls.push(`once${n}`));
  e.on('ping', a);
  e.on('ping', (n) => calls.push(`b${n}`));
  e.emit('ping', 1);
  e.off('ping', a);
  e.emit('ping', 2);
  e.off('ping');
  e.emit('ping', 3);
  assert.deepEqual(calls, ['once1', 'a1', 'b1', 'b2']);
  assert.equal(e.listenerCount('ping'), 0);
});

test('off with a once listener removes it before it fires', () => {
  const e = new TypedEmitter<Events>();
  let fired = false;
  const fn = (): void => {
    fired = true;
  };
  e.once('none', fn);
  e.off('none', fn);
  e.emit('none');
  assert.equal(fired, false);
});

test('a throwing listener is reported to the hook and does not stop the others', () => {
  const errors: [unknown, string][] = [];
  const e = new TypedEmitter<Events>((err, event) => errors.push([err, event]));
  const seen: number[] = [];
  e.on('ping', () => {
    throw new Error('boom');
  });
  e.on('ping', (n) => seen.push(n));
  assert.doesNotThrow(() => e.emit('ping', 7));
  assert.deepEqual(seen, [7]);
  assert.equal(errors.length, 1);
  assert.equal((errors[0]![0] as Error).message, 'boom');
  assert.equal(errors[0]![1], 'ping');
});

test('a throwing listener without a hook, or a throwing hook, is contained', () => {
  const quiet = new TypedEmitter<Events>();
  quiet.on('none', () => {
    throw new Error('x');
  });
  assert.doesNotThrow(() => quiet.emit('none'));
  const loud = new TypedEmitter<Events>(() => {
    throw new Error('hook');
  });
  loud.on('none', () => {
    throw new Error('x');
  });
  assert.doesNotThrow(() => loud.emit('none'));
});

test('listeners added or removed during emit do not disturb the current emit', () => {
  const e = new TypedEmitter<Events>();
  const calls: string[] = [];
  const late = (): void => {
    calls.push('late');
  };
  const second = (): void => {
    calls.push('second');
  };
  e.on('none', () => {
    calls.push('first');
    e.off('none', second);
    e.on('none', late);
  });
  e.on('none', second);
  e.emit('none');
  assert.deepEqual(calls, ['first', 'second']);
  e.emit('none');
  assert.deepEqual(calls, ['first', 'second', 'first', 'late']);
});

test('a listener that is not a function is a TypeError', () => {
  const e = new TypedEmitter<Events>();
  assert.throws(() => e.on('none', 'nope' as any), TypeError);
});
