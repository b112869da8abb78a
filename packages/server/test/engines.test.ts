/**
 * Which Node versions Parley runs on, said once and kept true.
 *
 * Every package declares `engines.node` ">=20", the root's. werift 0.25.2, pinned by the server and the Node SDK,
 * declares ">=22", and Parley overrides that on purpose: CI and development run Node 20, and the whole suite,
 * which drives werift's RTCPeerConnection end to end (ICE, DTLS client and server, SRTP in both profiles, RTCP,
 * NACK and PLI), passes there. This file makes the override explicit and checked: werift's own code must use
 * nothing Node 20 lacks, and a werift upgrade fails here until someone has looked again.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface PackageJson {
  name: string;
  private?: boolean;
  license?: string;
  files?: string[];
  workspaces?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

const rootPackage = readPackage(root);
const workspaces = (rootPackage.workspaces ?? []).map((w) => ({
  dir: join(root, w),
  pkg: readPackage(join(root, w)),
}));

/** werift's version and declared engines when the override was last reviewed. */
const REVIEWED_WERIFT = { version: '0.25.2', engines: '>=22' };

/**
 * What Node 21 and later added to the language and the runtime, as it would read in code: `Promise.withResolvers`,
 * `Array.fromAsync`, the Set methods and iterator helpers (22), `Object.groupBy` / `Map.groupBy` (21),
 * `process.getBuiltinModule` (22.3), the global WebSocket (22), `fs.glob` (22), `ArrayBuffer.prototype.transfer`
 * (21), `Float16Array` (24), `Uint8Array.fromBase64` / `fromHex` (25), `Error.isError`, `RegExp.escape` (24).
 */
const NEWER_THAN_NODE_20 =
  /Promise\.withResolvers|Array\.fromAsync|Object\.groupBy|Map\.groupBy|process\.getBuiltinModule|\.(union|intersection|difference|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(|Iterator\.from|\.toArray\(\)|new WebSocket\(|globSync\(|fs\.glob\(|\.transfer(ToFixedLength)?\(|Float16Array|Uint8Array\.from(Base64|Hex)|Error\.isError|RegExp\.escape/;

/** The directory of package `name` that holds `file` (werift's exports do not include its package.json). */
function packageDirOf(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if (readPackage(dir).name === name) return dir;
    } catch {
      // No package.json here: look further up.
    }
  }
  throw new Error(`no package.json of ${name} above ${file}`);
}

function scripts(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) scripts(path, out);
    else if (name.endsWith('.js') || name.endsWith('.mjs')) out.push(path);
  }
  return out;
}

test('every package declares the root engines range, and this Node is in it', () => {
  assert.equal(rootPackage.engines?.node, '>=20');
  for (const { pkg } of workspaces) assert.equal(pkg.engines?.node, rootPackage.engines?.node, pkg.name);
  const major = Number(process.versions.node.split('.')[0]);
  assert.ok(major >= 20, `Node ${process.versions.node} is older than Parley's engines range`);
});

test("werift's own engines declaration is the one reviewed, and its code uses nothing Node 20 lacks", () => {
  const pins = workspaces.flatMap(({ pkg }) => {
    const pin = pkg.dependencies?.werift;
    return pin === undefined ? [] : [pin];
  });
  assert.ok(pins.length >= 2, 'the server and the Node SDK pin werift');
  assert.deepEqual(new Set(pins), new Set([REVIEWED_WERIFT.version]), 'one exact werift version everywhere');
  const weriftDir = packageDirOf(fileURLToPath(import.meta.resolve('werift')), 'werift');
  const werift = readPackage(weriftDir) as PackageJson & { version: string };
  assert.deepEqual(
    { version: werift.version, engines: werift.engines?.node },
    REVIEWED_WERIFT,
    'werift changed: check it on Node 20 again (this list, the suite) before updating REVIEWED_WERIFT',
  );
  const files = scripts(join(weriftDir, 'lib'));
  assert.ok(files.length > 100, `werift's lib has ${files.length} scripts`);
  const uses = files.flatMap((file) => {
    const hit = NEWER_THAN_NODE_20.exec(readFileSync(file, 'utf8'));
    return hit ? [`${file.slice(weriftDir.length)}: ${hit[0]}`] : [];
  });
  assert.deepEqual(uses, []);
});

test('the MIT license is at the root and in every package that publishes', () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 The Parley authors\n/);
  for (const { dir, pkg } of workspaces) {
    assert.equal(pkg.license, 'MIT', pkg.name);
    if (pkg.private) continue;
    assert.ok(pkg.files?.includes('LICENSE'), `${pkg.name} publishes its LICENSE`);
    assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), license, `${pkg.name}'s LICENSE is the root's`);
  }
});
