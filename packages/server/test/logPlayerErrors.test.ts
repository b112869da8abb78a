import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/log.js';
import { logPlayerErrors } from '../src/logPlayerErrors.js';
import { SfuRouter } from '../src/sfu/index.js';

test("the SFU's player errors are logged as errors, with the track and the count", async (t) => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
  const router = new SfuRouter();
  t.after(() => router.close());
  logPlayerErrors(router, logger.child('sfu'));
  router.emit('playerError', new Error('broken player'), 3, 'producer-7');
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.equal(line['level'], 'error');
  assert.equal(line['subsystem'], 'sfu');
  assert.equal(line['producer'], 'producer-7');
  assert.equal(line['count'], 3);
  assert.equal((line['error'] as { message: string }).message, 'broken player');
});
