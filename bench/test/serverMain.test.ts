// The bench's server process answers its commands without changing how V8 runs the server it measures. Its
// `health` command once fetched /healthz with `fetch`: undici's body stream detaches an ArrayBuffer, and the
// first detach in a process invalidates V8's ArrayBufferDetaching protector, deoptimizing the SFU's
// typed-array code before the second load step of every media scenario. V8 prints each invalidation with
// --trace-protector-invalidation; here the process runs with it and no such line may appear.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { CHANNEL_FD } from '../src/lib/childChannel.js';
import { compiledLib } from '../src/lib/paths.js';
import { APP } from '../src/lib/serverProcess.js';

describe('serverMain', () => {
  it('answers health, stats and gc, and leaves V8 protectors intact', async () => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--trace-protector-invalidation',
        compiledLib('serverMain.js'),
        JSON.stringify({ apps: [APP] }),
      ],
      { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] },
    );
    // 'close': the child has exited and its stdout is read to the end.
    const closed = once(child, 'close');
    // V8 prints its traces on stdout; the answers come on the bench's channel (childChannel.ts).
    const printed: string[] = [];
    createInterface({ input: child.stdout as Readable }).on('line', (line) => printed.push(line));
    const waiting: Array<(line: string) => void> = [];
    createInterface({ input: child.stdio[CHANNEL_FD] as Readable }).on('line', (line) =>
      waiting.shift()?.(line),
    );
    const next = (): Promise<unknown> =>
      new Promise<string>((resolve) => waiting.push(resolve)).then((line) => JSON.parse(line) as unknown);
    const ask = (cmd: string): Promise<unknown> => {
      const answer = next();
      (child.stdin as Writable).write(`${JSON.stringify({ cmd })}\n`);
      return answer;
    };
    try {
      const ready = (await next()) as { pid: number; httpUrl: string };
      assert.equal(ready.pid, child.pid);
      for (let i = 0; i < 3; i++) {
        const health = (await ask('health')) as { status: string; mediaTransports: number; sessions: number };
        assert.equal(health.status, 'ok');
        assert.equal(health.mediaTransports, 0);
        assert.equal(health.sessions, 0);
      }
      const stats = (await ask('stats')) as { sentPackets: number | null };
      assert.ok('sentPackets' in stats);
      const gc = (await ask('gc')) as { gc: boolean; heap: { v8Bytes: number } };
      assert.equal(gc.gc, true);
      assert.ok(gc.heap.v8Bytes > 0);
    } finally {
      (child.stdin as Writable).end();
      await closed;
    }
    assert.deepEqual(
      printed.filter((line) => line.includes('Invalidating protector')),
      [],
      'the server process invalidated a V8 protector',
    );
  });
});
