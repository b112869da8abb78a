import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineLogger } from '@parley/engine';
import { guarded, logListenerErrors } from '../src/guarded.js';

function recordingLogger(): EngineLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    debug() {},
    info() {},
    warn() {},
    error: (msg, fields) => errors.push(`${msg}: ${String(fields?.['err'])}`),
    errors,
  };
}

test('guarded runs the callback, and logs and reports what it throws instead of throwing', () => {
  const log = recordingLogger();
  const seen: unknown[] = [];
  const failures: string[] = [];
  const fn = guarded(
    log,
    'the test timer',
    (n: number) => {
      seen.push(n);
      if (n === 2) throw new Error('two');
      if (n === 3) throw 'three, not an Error';
    },
    (err) => failures.push(err.message),
  );
  fn(1);
  fn(2);
  fn(3);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(failures, ['two', 'three, not an Error']);
  assert.deepEqual(log.errors, ['the test timer threw: two', 'the test timer threw: three, not an Error']);
  // An error handler that throws is logged as well; nothing escapes.
  const worse = guarded(
    log,
    'the worse timer',
    () => {
      throw new Error('first');
    },
    () => {
      throw new Error('second');
    },
  );
  worse();
  assert.deepEqual(log.errors.slice(2), [
    'the worse timer threw: first',
    'handling what the worse timer threw threw too: second',
  ]);
});

test('logListenerErrors names the owner and the event', () => {
  const entries: [string, Record<string, unknown> | undefined][] = [];
  const log: EngineLogger = {
    debug() {},
    info() {},
    warn() {},
    error: (msg, fields) => entries.push([msg, fields]),
  };
  logListenerErrors(log, 'the frame sink of s1')(new Error('boom'), 'frame');
  assert.equal(entries[0]?.[0], 'a listener of the frame sink of s1 threw');
  assert.equal(entries[0]?.[1]?.['event'], 'frame');
  assert.equal(entries[0]?.[1]?.['err'], 'boom');
});
