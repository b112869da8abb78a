/**
 * The path ladder's state: which TURN credentials a connection gets (the newest; a login's replace any), when
 * the session goes to relay only and back, and what a TURN server's refusal changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TurnServers } from '@parley/protocol';
import { type EngineLogger, MediaPaths } from '../src/index.js';

const STUN = ['stun:127.0.0.1:3478'];
const SERVER = 'ws://127.0.0.1:9/ws';

function creds(expiresAt: number, user = 'u1'): TurnServers {
  return {
    urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349'],
    username: `${expiresAt}:${user}`,
    credential: `c-${expiresAt}`,
    expiresAt,
  };
}

function recordingLogger(): EngineLogger & { lines: [string, string][] } {
  const lines: [string, string][] = [];
  return {
    lines,
    debug: () => {},
    info: (msg) => lines.push(['info', msg]),
    warn: (msg) => lines.push(['warn', msg]),
    error: (msg) => lines.push(['error', msg]),
  };
}

test('without TURN: the STUN URLs only, every path, and a failure changes nothing', () => {
  const paths = new MediaPaths(recordingLogger());
  const context = paths.context(STUN, SERVER);
  assert.deepEqual(context, { iceServers: [{ urls: STUN }], iceTransportPolicy: 'all', serverUrl: SERVER });
  paths.connectFailed(context, 's1');
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'all');
  // Anything that is not a STUN URL in the hello is left out.
  assert.deepEqual(paths.context(['http://x', 'stun:a:1'], SERVER).iceServers, [{ urls: ['stun:a:1'] }]);
});

test('the newest credentials: renewals and resumes never go back in time, a login replaces', () => {
  const paths = new MediaPaths(recordingLogger());
  paths.offer(creds(1000), 'login');
  paths.offer(creds(2000), 'renewal');
  paths.offer(creds(1500), 'resume'); // older than what the renewal brought
  const turnOf = () => paths.context(STUN, SERVER).iceServers.find((s) => s.username !== undefined);
  assert.deepEqual(turnOf(), {
    urls: creds(2000).urls,
    username: '2000:u1',
    credential: 'c-2000',
  });
  // A new server session (a re-login after a restart) may sign with another secret: its credentials win.
  paths.offer(creds(1200), 'login');
  assert.equal(turnOf()?.username, '1200:u1');
  paths.offer(undefined, 'resume');
  assert.equal(turnOf()?.username, '1200:u1');
});

test('malformed TURN servers are ignored with a warning', () => {
  const log = recordingLogger();
  const paths = new MediaPaths(log);
  for (const bad of [
    null,
    'turn:x',
    { urls: [] },
    { ...creds(1), urls: ['http://x'] },
    { ...creds(1), expiresAt: 'soon' },
  ])
    paths.offer(bad, 'login');
  assert.deepEqual(paths.context(STUN, SERVER).iceServers, [{ urls: STUN }]);
  assert.equal(log.lines.filter(([level]) => level === 'warn').length, 5);
});

test('a connection that fails on every path sends the session to relay only, for the rest of it', () => {
  const log = recordingLogger();
  const paths = new MediaPaths(log);
  paths.offer(creds(1000), 'login');
  const first = paths.context(STUN, SERVER);
  assert.equal(first.iceTransportPolicy, 'all');
  assert.equal(first.iceServers.length, 2);
  paths.connectFailed(first, 's1');
  assert.equal(paths.relaying, true);
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'relay');
  assert.deepEqual(log.lines, [
    ['info', 'the direct media path failed; media goes through TURN (relay only) from now on'],
  ]);
  // A relay connection that fails (the TURN server answered before) changes nothing: relay it stays.
  paths.connectFailed(paths.context(STUN, SERVER), 's1');
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'relay');
  // Renewed credentials keep the choice; a late failure of an old direct connection does not log again.
  paths.offer(creds(2000), 'renewal');
  paths.connectFailed(first, 's2');
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'relay');
  assert.equal(log.lines.length, 1);
  // The engine left its last room: the next session starts on every path, without the old credentials.
  paths.reset();
  assert.deepEqual(paths.context(STUN, SERVER), {
    iceServers: [{ urls: STUN }],
    iceTransportPolicy: 'all',
    serverUrl: SERVER,
  });
});

test('credentials the TURN server refuses: one warning, not offered again, the direct path goes on', () => {
  const log = recordingLogger();
  const paths = new MediaPaths(log);
  paths.offer(creds(1000), 'login');
  const context = paths.context(STUN, SERVER);
  const refusal = { url: 'turn:127.0.0.1:3478?transport=udp', code: 401, text: 'Unauthorized' };
  paths.iceServerError(context, refusal);
  paths.iceServerError(context, refusal);
  const warnings = log.lines.filter(([level]) => level === 'warn');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]![1], /refused the credentials \(401 Unauthorized\).*turn\.secret/);
  assert.deepEqual(paths.context(STUN, SERVER).iceServers, [{ urls: STUN }]);
  // Without usable TURN a failure cannot go to relay.
  paths.connectFailed(context, 's1');
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'all');
  // New credentials (a renewal, say after the secret was fixed) are offered again.
  paths.offer(creds(2000), 'renewal');
  assert.equal(paths.context(STUN, SERVER).iceServers.length, 2);
});

test('relay only through a TURN server that did not answer falls back to every path', () => {
  const log = recordingLogger();
  const paths = new MediaPaths(log);
  paths.offer(creds(1000), 'login');
  paths.connectFailed(paths.context(STUN, SERVER), 's1');
  const relay = paths.context(STUN, SERVER);
  assert.equal(relay.iceTransportPolicy, 'relay');
  paths.iceServerError(relay, { url: 'turns:127.0.0.1:5349', code: 701, text: 'timeout' });
  paths.connectFailed(relay, 's1');
  assert.equal(paths.context(STUN, SERVER).iceTransportPolicy, 'all');
  assert.ok(log.lines.some(([, msg]) => /did not answer; media tries every path again/.test(msg)));
});
