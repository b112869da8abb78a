// A child of the bench (the server, the relay) that dies while the bench runs: every call on it says how it
// ended, and stopping it returns. Before, a child killed by a signal (exit code null) left stop() waiting for
// an exit that had already happened, and the bench hung with its players open.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startChild } from '../src/lib/childChannel.js';

const file = join(tmpdir(), `parley-bench-echo-${process.pid}.cjs`);
after(() => rmSync(file, { force: true }));

/**
 * A child that writes its ready line, then echoes each command line back, on the bench's channel; it prints
 * trace-like text on its stdout meanwhile, which must not reach the answers.
 */
function echoScript(): string {
  writeFileSync(
    file,
    [
      "const channel = new (require('node:net').Socket)({ fd: 3, readable: false, writable: true });",
      // What V8's trace flags print: on stdout, between the answers, even without a newline of its own.
      "process.stdout.write('[echo child: text on stdout, as a V8 trace prints] ');",
      "channel.write(JSON.stringify({ pid: process.pid }) + '\\n');",
      "require('node:readline').createInterface({ input: process.stdin })",
      "  .on('line', (line) => { process.stdout.write('[echo child: more] '); channel.write(line + '\\n'); });",
    ].join('\n'),
  );
  return file;
}

describe('startChild', () => {
  it('answers commands, reads the child, and stops it', async () => {
    const child = await startChild({ script: echoScript() });
    assert.deepEqual(await child.request({ op: 'ping' }), { op: 'ping' });
    assert.ok(child.cpuMs() >= 0);
    assert.ok(child.rssBytes() > 0);
    await child.stop();
    assert.match(await child.exited, /exited with 0|killed by SIGTERM/);
    await assert.rejects(child.request({ op: 'ping' }), /exited with 0|killed by SIGTERM/);
  });

  it('says the child was killed by a signal, and stop() returns', async () => {
    const child = await startChild({ script: echoScript() });
    process.kill(child.pid, 'SIGKILL');
    assert.equal(await child.exited, 'was killed by SIGKILL');
    assert.throws(() => child.cpuMs(), /was killed by SIGKILL/);
    assert.throws(() => child.rssBytes(), /was killed by SIGKILL/);
    await assert.rejects(child.request({ op: 'ping' }), /was killed by SIGKILL/);
    await child.stop();
  });

  it('rejects a command in flight when the child dies', async () => {
    const child = await startChild({ script: echoScript() });
    // SIGSTOP first, so that the command is surely still unanswered when the child dies.
    process.kill(child.pid, 'SIGSTOP');
    const answer = child.request({ op: 'ping' });
    process.kill(child.pid, 'SIGKILL');
    await assert.rejects(answer, /was killed by SIGKILL/);
    await child.stop();
  });
});
