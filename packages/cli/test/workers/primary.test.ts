/**
 * The primary's care of its workers, run in the test's process (which becomes the cluster's primary): a worker
 * that cannot start fails the start with its reason, and one that keeps dying is given up — with a guard whose
 * numbers make that happen at the second death, so that nothing waits on the default delays.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveServerConfig } from '@parley/server/config';
import { CliError } from '../../src/index.js';
import { CrashLoopGuard } from '../../src/workers/CrashLoopGuard.js';
import { Primary } from '../../src/workers/Primary.js';
import { reservePort } from '../../src/workers/serveWorkers.js';
import { workerSettings } from '../../src/workers/WorkerSettings.js';
import { capture, SECRET, SIGN, tempDir } from '../support/cli.js';
import { startTestRedis } from '../support/redisServer.js';
import { isAlive } from '../support/serveProcess.js';

const APP = { appID: 9, appSign: SIGN, serverSecret: SECRET };

/** Collects written text; `until(pattern)` resolves with the match once the text matches, checked on each write. */
function lineWaiter() {
  let text = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  return {
    write(chunk: string): void {
      text += chunk;
      for (const w of [...waiters]) {
        const match = w.pattern.exec(text);
        if (match === null) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    },
    until(pattern: RegExp): Promise<RegExpExecArray> {
      const match = pattern.exec(text);
      return match !== null
        ? Promise.resolve(match)
        : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

describe('the primary of parley serve --workers', async () => {
  const dir = await tempDir();
  const redis = await startTestRedis(join(dir, 'redis.sock'));
  after(() => redis.stop());
  const plan = async () => ({
    port: await reservePort('127.0.0.1', 0),
    redis: `unix:${redis.socketPath}`,
    prefix: 'test',
  });

  it('fails the start with the reason of a worker that cannot start, and leaves no worker behind', async () => {
    const held = createSocket('udp4');
    await new Promise<void>((resolve) => held.bind(0, '127.0.0.1', resolve));
    const udpPort = held.address().port;
    const settings = resolveServerConfig({ apps: [APP], logLevel: 'silent', media: { udpPort } });
    const c = capture();
    const primary = new Primary({ settings: workerSettings(settings, 1), plan: await plan(), io: c.io });
    await assert.rejects(primary.start(), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.match(
        err.message,
        new RegExp(
          String.raw`^worker 0 \(pid \d+\) could not start: it exited with code 1: UDP port ${udpPort} on ` +
            String.raw`127\.0\.0\.1 is already in use`,
        ),
      );
      return true;
    });
    assert.deepEqual(primary.workers(), []);
    held.close();
  });

  it('starts a dead worker again, and gives it up when it keeps dying soon after its start', async () => {
    const settings = resolveServerConfig({ apps: [APP], logLevel: 'silent' });
    const output = lineWaiter();
    const guard = new CrashLoopGuard({ minUptimeMs: 3_600_000, maxQuickDeaths: 1, firstDelayMs: 1 });
    const primary = new Primary({
      settings: workerSettings(settings, 2),
      plan: await plan(),
      io: { stdout: () => {}, stderr: (text) => output.write(text) },
      guard,
    });
    const { workers } = await primary.start();
    assert.equal(workers.length, 2);
    const [first, other] = workers;
    process.kill(first!.pid, 'SIGKILL');
    const again = await output.until(/Worker 0 started again: pid (\d+), node (test-w0-\S+)\n/);
    const second = Number(again[1]);
    assert.notEqual(second, first!.pid);
    assert.deepEqual(
      primary.workers().map((w) => [w.index, w.pid]),
      [
        [0, second],
        [1, other!.pid],
      ],
    );
    process.kill(second, 'SIGKILL');
    const reason = await primary.gaveUp;
    assert.equal(
      reason.message,
      `worker 0 died 2 times in a row within 3600 s of its start (the last one, pid ${second}, was ended by ` +
        'SIGKILL); giving up',
    );
    await primary.drain();
    assert.ok(!isAlive(other!.pid), 'the other worker drained and exited');
    assert.deepEqual(primary.workers(), []);
  });
});
