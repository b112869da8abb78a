/**
 * Under `node:cluster` the workers' UDP sockets bound on port 0 are one socket shared through the primary unless
 * bound exclusively — fatal for an SFU in each worker. The workers of `parley serve --workers` make every bind
 * exclusive; this checks both Node's behaviour (so a Node that changes it is noticed) and the remedy.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FIXTURE = fileURLToPath(new URL('../support/udpCluster.js', import.meta.url));

async function workerPorts(mode: 'patched' | 'plain'): Promise<number[][]> {
  const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, mode]);
  const reports = JSON.parse(stdout) as Array<{ pid: number; ports: number[] }>;
  assert.equal(reports.length, 2);
  assert.notEqual(reports[0]!.pid, reports[1]!.pid);
  return reports.map((r) => r.ports);
}

describe('UDP sockets of cluster workers', () => {
  it('are shared between the workers by node:cluster when not bound exclusively', async () => {
    const [a, b] = await workerPorts('plain');
    assert.deepEqual(a, b, 'both workers got the same sockets');
  });

  it('are each worker’s own once makeUdpSocketsExclusive() has run, whichever way bind() is called', async () => {
    const [a, b] = await workerPorts('patched');
    assert.equal(new Set([...a!, ...b!]).size, 4, `four sockets: ${JSON.stringify([a, b])}`);
  });
});
