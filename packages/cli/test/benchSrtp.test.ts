// The benchmark's own SRTP (bench/src/lib/srtp.ts) protects what its publishers and the baseline's endpoints send
// and derives the keys its receivers read tags with: its check runs with the suite, so a change there that
// breaks it fails here rather than as unexplained loss in a benchmark.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultBenchDir } from '../src/commands/bench.js';

describe("the bench's SRTP", () => {
  it('matches RFC 3711 B.3 and werift byte for byte in AES-CM and AES-GCM (bench/src/lib/srtp.check.ts)', () => {
    // The bench is a TypeScript package: its check runs compiled (tsc -b builds it before the tests).
    const check = join(defaultBenchDir(), 'dist', 'src', 'lib', 'srtp.check.js');
    const r = spawnSync(process.execPath, [check], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${check} failed:\n${r.stderr}${r.stdout}`);
    assert.match(r.stdout, /^srtp: \d+ checks passed .*AES-CM and AES-GCM/m);
  });
});
