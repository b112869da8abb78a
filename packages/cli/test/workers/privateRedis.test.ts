/**
 * The private Redis of `parley serve --workers`: started on a socket in the data directory and stopped with its
 * files; not started without redis-server; and what an earlier run left behind is dealt with.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CliError } from '../../src/index.js';
import { MISSING_REDIS, PrivateRedis, REDIS_DIR, REDIS_FILES } from '../../src/workers/PrivateRedis.js';
import { redisAnswers } from '../../src/workers/redisSocket.js';
import { tempDir } from '../support/cli.js';
import { startTestRedis } from '../support/redisServer.js';
import { isAlive } from '../support/serveProcess.js';

const ENV = { PATH: process.env['PATH'] ?? '/usr/bin' };

/** A pid that no process has: that of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function start(dataDir: string, log: string[] = []): Promise<PrivateRedis> {
  return PrivateRedis.start({ dataDir, env: ENV, log: (line) => log.push(line) });
}

describe('the private Redis', () => {
  it('runs on a socket in the data directory, keeps nothing, and is gone with its files after close()', async () => {
    const dataDir = await tempDir();
    const redis = await start(dataDir);
    const dir = join(dataDir, REDIS_DIR);
    assert.equal(redis.socketPath, join(dir, REDIS_FILES.socket));
    assert.equal(redis.url, `unix:${redis.socketPath}`);
    assert.ok(await redisAnswers(redis.socketPath));
    assert.ok(isAlive(redis.pid));
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal(Number(await readFile(join(dir, REDIS_FILES.owner), 'utf8')), process.pid);
    await redis.close();
    // close() waits for the guardian, which waits for Redis: the process is gone, not only going.
    assert.ok(!isAlive(redis.pid));
    for (const name of Object.values(REDIS_FILES)) assert.ok(!existsSync(join(dir, name)), name);
    await redis.close();
  });

  it('says how to get redis-server when it is not on the PATH', async () => {
    const dataDir = await tempDir();
    await assert.rejects(
      PrivateRedis.start({ dataDir, env: { PATH: join(dataDir, 'nothing-here') }, log: () => {} }),
      (err: unknown) => err instanceof CliError && err.message === MISSING_REDIS && err.exitCode === 1,
    );
    assert.match(MISSING_REDIS, /apt install redis-server/);
    assert.match(MISSING_REDIS, /--redis URL/);
    assert.ok(!existsSync(join(dataDir, REDIS_DIR)), 'nothing was created');
  });

  it('removes the socket and pid file a Redis killed with SIGKILL left behind', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, REDIS_DIR);
    await mkdir(dir, { recursive: true });
    const crashed = await startTestRedis(join(dir, REDIS_FILES.socket), join(dir, REDIS_FILES.pid));
    crashed.process.kill('SIGKILL');
    await crashed.exited;
    assert.ok(existsSync(join(dir, REDIS_FILES.socket)), 'a stale socket');
    const redis = await start(dataDir);
    assert.ok(await redisAnswers(redis.socketPath));
    assert.notEqual(redis.pid, crashed.process.pid);
    await redis.close();
  });

  it('shuts down a Redis still running there whose parley serve is gone', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, REDIS_DIR);
    await mkdir(dir, { recursive: true });
    const orphan = await startTestRedis(join(dir, REDIS_FILES.socket), join(dir, REDIS_FILES.pid));
    await writeFile(join(dir, REDIS_FILES.owner), `${await deadPid()}\n`);
    const log: string[] = [];
    const redis = await start(dataDir, log);
    await orphan.exited;
    assert.match(log.join(''), /^Stopping the private Redis an earlier parley serve left running at /);
    assert.ok(await redisAnswers(redis.socketPath));
    await redis.close();
  });

  it('refuses a data directory whose Redis belongs to a parley serve that still runs', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, REDIS_DIR);
    await mkdir(dir, { recursive: true });
    const other = await startTestRedis(join(dir, REDIS_FILES.socket));
    // The test's parent process stands for the other primary: it runs, and it is not this process.
    await writeFile(join(dir, REDIS_FILES.owner), `${process.ppid}\n`);
    await assert.rejects(
      start(dataDir),
      (err: unknown) =>
        err instanceof CliError &&
        err.message.includes(`belongs to another parley serve --workers, pid ${process.ppid}`) &&
        err.message.includes('another --data-dir'),
    );
    assert.ok(await redisAnswers(other.socketPath), 'the other one was left alone');
    await other.stop();
  });

  it('refuses a data directory whose socket path is too long for a unix socket', async () => {
    const dataDir = join(await tempDir(), 'x'.repeat(100));
    await assert.rejects(
      start(dataDir),
      (err: unknown) => err instanceof CliError && /choose a shorter --data-dir/.test(err.message),
    );
  });
});
