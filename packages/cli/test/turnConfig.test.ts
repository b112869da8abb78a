import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/index.js';
import { capture, tempDir } from './support/cli.js';

/** Runs `parley turn-config …` and returns the exit code with the captured output. */
async function run(argv: string[], options: Parameters<typeof capture>[0] = {}) {
  const c = capture(options);
  const code = await main(['turn-config', ...argv], c.io);
  return { code, out: c.out(), err: c.err() };
}

const TURN = [
  '--turn-url',
  'turn:turn.parley.test:3479?transport=udp',
  '--turn-url',
  'turn:turn.parley.test:3479?transport=tcp',
  '--turn-secret',
  'north-wind-42',
  '--announce',
  '127.0.0.5',
];

/** The lines of a printed configuration that set something (no comments, no blank lines). */
function settingsOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('parley turn-config', () => {
  it('prints the coturn configuration of the resolved settings: secret, ports of the URLs, media addresses', async () => {
    const result = await run(TURN);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.err, '');
    const lines = settingsOf(result.out);
    for (const line of [
      'use-auth-secret',
      'static-auth-secret=north-wind-42',
      // The realm defaults to the host of the first TURN URL.
      'realm=turn.parley.test',
      'listening-port=3479',
      'no-tls',
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'allowed-peer-ip=127.0.0.5',
      'no-cli',
    ])
      assert.ok(lines.includes(line), `${line} in:\n${result.out}`);
    assert.equal(lines.filter((l) => l.startsWith('allowed-peer-ip=')).length, 1);
  });

  it('reads the settings as parley serve does: the environment and the config file, and --realm', async () => {
    const dir = await tempDir();
    const file = join(dir, 'parley.json');
    await writeFile(
      file,
      JSON.stringify({ turn: { urls: ['turn:127.0.0.9', 'turns:127.0.0.9:443?transport=tcp'] } }),
    );
    await writeFile(join(dir, 'cert.pem'), 'unused');
    const result = await run(
      ['--config', file, '--realm', 'rtc.parley.test', '--turn-cert', 'cert.pem', '--turn-key=key.pem'],
      {
        env: { PARLEY_TURN_SECRET: 'from-the-env', PARLEY_MEDIA_ANNOUNCED_ADDRESSES: '127.0.0.6,127.0.0.7' },
        cwd: dir,
      },
    );
    assert.equal(result.code, 0, result.err);
    const lines = settingsOf(result.out);
    for (const line of [
      'static-auth-secret=from-the-env',
      'realm=rtc.parley.test',
      // A URL without a port: coturn's default.
      'listening-port=3478',
      'tls-listening-port=443',
      `cert=${join(dir, 'cert.pem')}`,
      `pkey=${join(dir, 'key.pem')}`,
      'allowed-peer-ip=127.0.0.6',
      'allowed-peer-ip=127.0.0.7',
    ])
      assert.ok(lines.includes(line), `${line} in:\n${result.out}`);
    assert.ok(!lines.includes('no-tls'));
  });

  it('refuses what coturn cannot do, with the setting to fix', async () => {
    const noSecret = await run(['--turn-url', 'turn:turn.parley.test', '--announce', '127.0.0.5']);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.err, /turn\.secret/);

    const noUrl = await run(['--turn-secret', 's', '--announce', '127.0.0.5']);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.err, /turn\.urls/);

    const noCert = await run([...TURN, '--turn-url', 'turns:turn.parley.test:5349']);
    assert.equal(noCert.code, 2);
    assert.match(noCert.err, /turns:turn\.parley\.test:5349 needs a certificate/);

    const twoPorts = await run([...TURN, '--turn-url', 'turn:turn.parley.test:3480']);
    assert.equal(twoPorts.code, 2);
    assert.match(twoPorts.err, /ports 3479 and 3480/);

    const spaced = await run([...TURN.slice(0, 4), '--turn-secret', 'two words', '--announce', '127.0.0.5']);
    assert.equal(spaced.code, 2);
    assert.match(spaced.err, /secret must be non-empty printable ASCII without spaces/);

    const missing = await run([...TURN, '--realm']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--realm needs a value/);

    const unknown = await run([...TURN, '--no-such-flag']);
    assert.equal(unknown.code, 2);
  });

  it('is listed in parley --help and has its own help', async () => {
    const c = capture();
    assert.equal(await main(['--help'], c.io), 0);
    assert.match(c.out(), /^ {2}turn-config {2}Print a coturn turnserver\.conf/m);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--realm NAME/);
  });
});
