import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineLogger, guarded, logListenerErrors, safeLogger } from '../src/index.js';
import { watchProcessErrors } from './support/processErrors.js';

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

test('guarded catches the rejection of a callback that returns a promise: no unhandled rejection', async (t) => {
  const escaped = watchProcessErrors(t);
  const log = recordingLogger();
  const failures: string[] = [];
  const failed = new Promise<void>((resolve) => {
    guarded(
      log,
      'the async attempt',
      async () => {
        await Promise.resolve();
        throw new Error('later');
      },
      (err) => {
        failures.push(err.message);
        resolve();
      },
    )();
  });
  await failed;
  assert.deepEqual(failures, ['later']);
  assert.deepEqual(log.errors, ['the async attempt threw: later']);
  // A thenable whose then() throws is caught like a throw of the callback.
  const hostile = {
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is what this case is about.
    then: () => {
      throw new Error('bad then');
    },
  };
  guarded(log, 'the hostile thenable', () => hostile)();
  assert.equal(log.errors.at(-1), 'the hostile thenable threw: bad then');
  await escaped.none();
});

test('a logger that throws never turns a guarded error into a thrown one', () => {
  const throwing: EngineLogger = {
    debug: () => {
      throw new Error('debug');
    },
    info: () => {
      throw new Error('info');
    },
    warn: () => {
      throw new Error('warn');
    },
    error: () => {
      throw new Error('error');
    },
  };
  const failures: string[] = [];
  guarded(
    throwing,
    'the timer',
    () => {
      throw new Error('boom');
    },
    (err) => failures.push(err.message),
  )();
  assert.deepEqual(failures, ['boom']);
  logListenerErrors(throwing, 'a sink')(new Error('x'), 'frame');
  // A thrown value whose conversion to text throws is still reported.
  const unprintable = {
    toString: () => {
      throw new Error('no text');
    },
  };
  const seen: string[] = [];
  guarded(
    silent(),
    'the odd one',
    () => {
      throw unprintable;
    },
    (err) => seen.push(err.message),
  )();
  assert.deepEqual(seen, ['a value that cannot be shown']);
});

test('safeLogger passes lines through and drops the ones its logger throws on; wrapping twice is a no-op', () => {
  const lines: string[] = [];
  const flaky: EngineLogger = {
    debug: (msg) => lines.push(`debug ${msg}`),
    info: (msg) => lines.push(`info ${msg}`),
    warn: () => {
      throw new Error('warn broke');
    },
    error: (msg, fields) => lines.push(`error ${msg} ${String(fields?.['n'])}`),
  };
  const safe = safeLogger(flaky);
  safe.debug('a');
  safe.info('b');
  safe.warn('c');
  safe.error('d', { n: 1 });
  assert.deepEqual(lines, ['debug a', 'info b', 'error d 1']);
  assert.equal(safeLogger(safe), safe);
});

function silent(): EngineLogger {
  return { debug() {}, info() {}, warn() {}, error() {} };
}
