/** The settings of each worker of `parley serve --workers N`, and the count itself. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, resolveServerConfig } from '@parley/server/config';
import { main } from '../../src/index.js';
import {
  MAX_WORKERS,
  nodeIDPrefix,
  nodeSettings,
  parseWorkerCount,
  workerSettings,
} from '../../src/workers/WorkerSettings.js';
import { capture, SECRET, SIGN, tempDir } from '../support/cli.js';

const APP = { appID: 7, appSign: SIGN, serverSecret: SECRET };

function settings(extra: Record<string, unknown> = {}) {
  return resolveServerConfig({ apps: [APP], ...extra });
}

describe('the settings of each worker', () => {
  it('cuts media.portRange into one slice per worker, the first ones longer when it does not divide', () => {
    const base = settings({ media: { portRange: '50000-50010' } });
    const ranges = workerSettings(base, 3).map((s) => s.media.portRange);
    assert.deepEqual(ranges, [
      [50000, 50003],
      [50004, 50007],
      [50008, 50010],
    ]);
    assert.deepEqual(base.media.portRange, [50000, 50010], 'the settings given are left as they are');
    assert.deepEqual(
      workerSettings(base, 1).map((s) => s.media.portRange),
      [[50000, 50010]],
    );
  });

  it('leaves the media ports free for every worker when no range is set', () => {
    for (const worker of workerSettings(settings(), 2)) assert.equal(worker.media.portRange, undefined);
  });

  it('gives every worker at least one transport: a port per announced address', () => {
    const twoAddresses = settings({
      host: '0.0.0.0',
      media: { portRange: '50000-50005', announcedAddresses: ['10.0.0.1', '10.0.0.2'] },
    });
    assert.equal(workerSettings(twoAddresses, 3).length, 3);
    assert.throws(
      () => workerSettings(twoAddresses, 4),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems[0]!.path === 'media.portRange' &&
        err.problems[0]!.reason ===
          'has 6 ports, too few for 4 workers: each needs its own ports, at least 2 (one per announced ' +
            'address), so at least 8 in all',
    );
  });

  it('gives worker i the STUN port stunPort + i, or a free one each when it is 0', () => {
    const fixed = workerSettings(settings({ media: { stunPort: 3479 } }), 3);
    assert.deepEqual(
      fixed.map((s) => s.media.stunPort),
      [3479, 3480, 3481],
    );
    const free = workerSettings(settings(), 3);
    assert.deepEqual(
      free.map((s) => s.media.stunPort),
      [0, 0, 0],
    );
    assert.throws(
      () => workerSettings(settings({ media: { stunPort: 65534 } }), 3),
      (err: unknown) => err instanceof ConfigError && err.problems[0]!.path === 'media.stunPort',
    );
  });

  it('gives worker i the media port udpPort + i, or a free one each when it is 0 or unset', () => {
    const fixed = workerSettings(settings({ media: { udpPort: 40000 } }), 3);
    assert.deepEqual(
      fixed.map((s) => s.media.udpPort),
      [40000, 40001, 40002],
    );
    for (const base of [settings(), settings({ media: { udpPort: 0 } })]) {
      assert.deepEqual(
        workerSettings(base, 3).map((s) => s.media.udpPort),
        [0, 0, 0],
      );
    }
    assert.throws(
      () => workerSettings(settings({ media: { udpPort: 65534 } }), 3),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems[0]!.path === 'media.udpPort' &&
        err.problems[0]!.reason ===
          'leaves no room for 3 workers: worker i takes port 65534 + i, up to 65535 (got 65534)',
    );
    const ranged = workerSettings(settings({ media: { portRange: '50000-50009' } }), 2);
    assert.deepEqual(
      ranged.map((s) => s.media.udpPort),
      [undefined, undefined],
      'a port range keeps the socket-per-transport mode: no media port',
    );
  });

  it('makes each worker a node: the shared port, the Redis, and a new node ID on every start', () => {
    const [worker] = workerSettings(settings({ port: 0 }), 1);
    const plan = { index: 0, port: 8123, redis: 'unix:/tmp/r.sock', prefix: 'vm1-42' };
    const first = nodeSettings(worker!, plan);
    const again = nodeSettings(worker!, plan);
    assert.equal(first.port, 8123);
    assert.equal(first.cluster.redis, 'unix:/tmp/r.sock');
    assert.match(first.cluster.nodeID!, /^vm1-42-w0-[0-9a-f]{6}$/);
    assert.notEqual(first.cluster.nodeID, again.cluster.nodeID);
    assert.equal(nodeIDPrefix(settings({ cluster: { nodeID: 'edge-a' } })), 'edge-a');
    assert.match(nodeIDPrefix(settings(), 4321), /-4321$/);
  });
});

describe('the worker count', () => {
  it('takes a number from 1 to the maximum, or auto for one per core', () => {
    assert.equal(parseWorkerCount('2', 8), 2);
    assert.equal(parseWorkerCount(' 1 ', 8), 1);
    assert.equal(parseWorkerCount('auto', 8), 8);
    assert.equal(parseWorkerCount('AUTO', 0), 1);
    assert.equal(parseWorkerCount(String(MAX_WORKERS), 8), MAX_WORKERS);
    for (const bad of ['0', '-1', '1.5', 'two', '', String(MAX_WORKERS + 1)])
      assert.equal(typeof parseWorkerCount(bad, 8), 'object', bad);
  });

  it('names the flag or the variable that is wrong, and nothing is started', async () => {
    const dir = await tempDir();
    const c = capture({ cwd: dir });
    assert.equal(await main(['serve', '--workers', 'many', '--data-dir', dir], c.io), 2);
    assert.match(
      c.err(),
      /^error: --workers must be a number of processes from 1 to 256, or auto \(one per core\) \(got "many"\)\n/,
    );
    const e = capture({ cwd: dir, env: { PARLEY_WORKERS: '0' } });
    assert.equal(await main(['serve', '--data-dir', dir], e.io), 2);
    assert.match(e.err(), /^error: PARLEY_WORKERS must be a number of processes .* \(got "0"\)\n$/);
  });

  it('refuses a port range too small for the workers, naming where it was set', async () => {
    const dir = await tempDir();
    const c = capture({ cwd: dir });
    const args = ['serve', '--workers', '3', '--port-range', '50000-50001', '--data-dir', dir];
    assert.equal(await main(args, c.io), 2);
    assert.equal(
      c.err(),
      'error: --port-range has 2 ports, too few for 3 workers: each needs its own ports, at least 1 (one per ' +
        'announced address), so at least 3 in all (got "50000-50001")\n',
    );
  });
});
