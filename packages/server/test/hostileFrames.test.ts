/**
 * A live server under hostile input. The server runs in a child process, so a crash shows as the process
 * ending, as in production (nothing catches uncaught exceptions there). Two legitimate users share a room
 * and a stream while hostile sockets send generated and hand-made frames (fixed seed, so every run sends
 * the same frames). Every answer must carry a code from the registry, every close a defined close code,
 * the legitimate users must see nothing of it and still talk afterwards, and the server must log no
 * internal error.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode, isKnownErrorCode, type ServerFrame } from '@parley/protocol';
import type { ServerOptions } from '../src/index.js';
import { HostileSocket, within } from './support/HostileSocket.js';
import { appSignLoginFrame, loginFrame, OTHER_APP, token } from './support/harness.js';
import {
  deepText,
  hostileText,
  LEGIT_ROOM,
  LEGIT_STREAM,
  sample,
  TARGETED,
} from './support/hostileFrames.js';
import type { ChildReport } from './support/hostileServer.js';
import { RawClient } from './support/RawClient.js';
import { clientFrame, closeCodeOf, rawExchange, upgradeAndReset, upgradeRequest } from './support/rawWire.js';

const MAX_FRAME = 64 * 1024;
const SEED = 20261213;
/** Random frames per hostile socket: below the 50 strikes after which a socket is closed, on purpose. */
const FRAMES_PER_SOCKET = 40;
const RANDOM_SOCKETS = 40;
const CLOSE_CODES = new Set<number>(Object.values(CloseCode));
const FRAME_TYPES = new Set(['hello', 'reply', 'error', 'hb', 'evt']);

let child: ChildProcess;
let childErr = '';
let url = '';
let port = 0;
let alice: RawClient;
let bob: RawClient;
/** Frames the legitimate users had received when the hostile sockets started. */
const marks = { alice: 0, bob: 0 };
const counts = { frames: 0, raw: 0, sockets: 0 };

/** Every frame the server sent a hostile socket is well-formed, with registry codes; its close is defined. */
function assertAnswers(s: HostileSocket): void {
  counts.frames += s.sent;
  counts.sockets++;
  assert.deepEqual(s.unparsable, []);
  for (const f of s.frames as (ServerFrame & { code?: number; msg?: string })[]) {
    assert.ok(FRAME_TYPES.has(f.t), `frame type ${f.t}`);
    if (f.t !== 'reply' && f.t !== 'error') continue;
    assert.equal(typeof f.code, 'number');
    assert.ok(
      f.code === 0 ? f.t === 'reply' : isKnownErrorCode(f.code!),
      `code ${f.code} not in the registry`,
    );
    assert.ok(typeof f.msg === 'string' && f.msg.length <= 300, `message too long: ${f.msg?.length}`);
  }
}

async function closeAndCheck(s: HostileSocket): Promise<void> {
  const info = await s.close();
  assert.ok(CLOSE_CODES.has(info.code) || info.code === 1005, `close code ${info.code}`);
  assertAnswers(s);
}

function assertAlive(): void {
  assert.ok(child.exitCode === null && child.signalCode === null, `the server process ended:\n${childErr}`);
}

/** The replies of `frames` sent in order on one socket, by their ids (each frame's id must be unique). */
async function replies(s: HostileSocket, frames: Record<string, unknown>[]): Promise<number[]> {
  const codes: number[] = [];
  for (const f of frames) {
    const r = await s.request(f as Record<string, unknown> & { id: number });
    assert.ok(r && r.t === 'reply', `no reply to ${String(f['t'])}`);
    codes.push(r.code);
  }
  return codes;
}

describe('hostile frames against a live server', () => {
  before(async () => {
    const script = new URL('./support/hostileServer.js', import.meta.url);
    // Long heartbeat and online-count periods: nothing but the hostile sockets may send the users anything.
    const options: Omit<ServerOptions, 'apps'> = {
      signaling: { maxFrameBytes: MAX_FRAME, heartbeatTimeoutMs: 120_000 },
      rooms: { onlineCountIntervalMs: 600_000 },
      // The fuzz sends hundreds of bad logins from one address on purpose, and then logs in validly from the
      // same address: the login rate and lockout it would earn are addressLimits.test.ts's subject, not this one's.
      limits: { loginsPerSecondPerAddress: 0, loginFailuresBeforeBackoff: 0 },
    };
    child = fork(script, [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      childErr += d.toString();
    });
    const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string; port: number }));
      child.once('exit', (code) =>
        reject(new Error(`server exited (${code}) before listening:\n${childErr}`)),
      );
    });
    ({ url, port } = await within(ready, 15_000, 'the server process'));
    alice = await RawClient.connect(url);
    bob = await RawClient.connect(url);
    assert.equal((await alice.request('login', loginFrame(LEGIT_ROOM, 'alice'))).code, 0);
    assert.equal((await bob.request('login', loginFrame(LEGIT_ROOM, 'bob'))).code, 0);
    await alice.waitEvent('userUpdate', (e) => e.users.some((u) => u.userID === 'bob'));
    const pub = await alice.request('publish', {
      roomID: LEGIT_ROOM,
      streamID: LEGIT_STREAM,
      extraInfo: 'e',
    });
    assert.equal(pub.code, 0);
    await bob.waitEvent('streamUpdate', (e) => e.streams.some((s) => s.streamID === LEGIT_STREAM));
    assert.equal((await alice.request('broadcast', { roomID: LEGIT_ROOM, message: 'before' })).code, 0);
    await bob.waitEvent('broadcast', (e) => e.messages[0]?.message === 'before');
    await Promise.all([alice.sync(), bob.sync()]);
    marks.alice = alice.frames.length;
    marks.bob = bob.frames.length;
  });

  after(async () => {
    await Promise.all([alice?.cut(), bob?.cut()]);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('answers random hostile frames on many sockets and keeps each socket usable', async (t) => {
    const frames = sample(hostileText(MAX_FRAME), RANDOM_SOCKETS * FRAMES_PER_SOCKET, SEED);
    // Four sockets at a time, so the server interleaves them.
    for (let i = 0; i < RANDOM_SOCKETS; i += 4) {
      await Promise.all(
        [0, 1, 2, 3].map(async (k) => {
          const s = await HostileSocket.open(url);
          const start = (i + k) * FRAMES_PER_SOCKET;
          for (const f of frames.slice(start, start + FRAMES_PER_SOCKET)) s.send(f);
          assert.ok(await s.barrier(), 'a socket under the strike limit was closed');
          await closeAndCheck(s);
        }),
      );
    }
    assertAlive();
    t.diagnostic(`${frames.length} generated frames on ${RANDOM_SOCKETS} sockets`);
  });

  it('refuses frames nested to the size limit by kind, and closes oversized ones with 1009', async () => {
    const s = await HostileSocket.open(url);
    for (const kind of ['array', 'object', 'mixed'] as const) {
      s.send(`{"t":${deepText(MAX_FRAME - 6, kind)}}`);
      // roomID and appID are valid, so the nested user is the field the refusal is about.
      s.send(`{"t":"login","id":3,"roomID":"r","appID":1,"user":${deepText(MAX_FRAME - 64, kind)}}`);
    }
    assert.ok(await s.barrier());
    const errors = s.frames.filter((f) => f.t === 'error' || f.t === 'reply');
    assert.equal(errors.length, 6);
    // A nested `user` object has no userID (1002005); any other nesting is the wrong shape (1100001).
    const expected: number[] = [ErrorCode.INPUT_PARAMETER, ErrorCode.USER_ID_EMPTY];
    for (const e of errors) assert.ok('code' in e && expected.includes(e.code), JSON.stringify(e));
    await closeAndCheck(s);
    // The reported crash, 100,000 deep, is larger than a frame may be.
    for (const text of [`{"t":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'x'.repeat(MAX_FRAME + 1)]) {
      const big = await HostileSocket.open(url);
      big.send(text);
      assert.equal((await big.waitClose()).code, CloseCode.TooBig);
      assertAnswers(big);
    }
    assertAlive();
  });

  it('refuses binary frames and closes text frames that are not UTF-8 with 1007', async () => {
    const s = await HostileSocket.open(url);
    for (const bytes of [[], [0], [0x7b, 0x7d], [0xff, 0xfe, 0xfd]]) s.send(Buffer.from(bytes), true);
    s.send(Buffer.from('{"t":"hb","ack":0}'), true);
    assert.ok(await s.barrier());
    const errors = s.frames.filter((f) => f.t === 'error');
    assert.equal(errors.length, 5);
    await closeAndCheck(s);
    for (const bytes of [
      [0xff],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0x7b, 0x22, 0xf8, 0x88, 0x80, 0x80, 0x80],
    ]) {
      const bad = await HostileSocket.open(url);
      bad.send(Buffer.from(bytes), false);
      assert.equal((await bad.waitClose()).code, CloseCode.InvalidPayload);
      assertAnswers(bad);
    }
    assertAlive();
  });

  it('closes floods and sockets that strike out with 1008, whatever the messages hold', async () => {
    const flood = await HostileSocket.open(url);
    for (let i = 0; i < 500; i++) flood.send({ t: 'hb', ack: i });
    assert.equal((await flood.waitClose()).code, CloseCode.PolicyViolation);
    assert.ok(flood.frames.some((f) => f.t === 'error' && f.code === ErrorCode.MESSAGE_TOO_FREQUENT));
    assertAnswers(flood);
    // Multi-byte types once made the close reason longer than 123 bytes, and ws threw on it.
    for (const type of ['\u4e2d'.repeat(60), '\ud83d\ude00'.repeat(40), '\ud800'.repeat(100)]) {
      const s = await HostileSocket.open(url);
      for (let i = 0; i < 60; i++) s.send({ t: type, id: i + 1 });
      assert.equal((await s.waitClose()).code, CloseCode.PolicyViolation);
      assertAnswers(s);
    }
    assertAlive();
  });

  it('refuses requests aimed at the legitimate room without a session or with wrong proofs', async () => {
    const s = await HostileSocket.open(url);
    const requests = TARGETED.filter((f) => f['t'] !== 'hb' && f['t'] !== 'login' && f['t'] !== 'resume');
    for (const code of await replies(s, requests)) assert.equal(code, ErrorCode.NOT_LOGGED_IN);
    const now = Math.floor(Date.now() / 1000);
    const bystander = await RawClient.connect(url);
    const wrong = [
      { ...loginFrame(LEGIT_ROOM, 'alice', { token: token('alice', { app: OTHER_APP }) }) },
      { ...loginFrame(LEGIT_ROOM, 'alice', { token: token('alice', { issuedAt: now - 7200, ttl: 60 }) }) },
      { ...loginFrame(LEGIT_ROOM, 'alice', { token: token('mallory') }) },
      {
        ...loginFrame(LEGIT_ROOM, 'bob', {
          token: token('bob', { payload: { roomId: 'elsewhere', canLogin: true, canPublish: true } }),
        }),
      },
      { ...loginFrame(LEGIT_ROOM, 'bob', { token: `04${'A'.repeat(200)}` }) },
      // A proof made for another socket's challenge, replayed.
      { ...appSignLoginFrame(bystander, LEGIT_ROOM, 'alice') },
      { ...appSignLoginFrame({ nonce: s.nonce } as RawClient, LEGIT_ROOM, 'bob', 'cd'.repeat(32)) },
      { ...loginFrame(LEGIT_ROOM, 'alice'), appID: OTHER_APP.appID },
      { t: 'resume', sessionID: 'x'.repeat(64), resumeKey: 'y', lastSeq: 0 },
    ].map((f, i) => ({ t: 'login', ...f, id: 100 + i }));
    for (const code of await replies(s, wrong)) {
      assert.ok(code !== 0 && isKnownErrorCode(code), `a wrong proof got code ${code}`);
    }
    await Promise.all([closeAndCheck(s), bystander.cut()]);
    assertAlive();
  });

  it('keeps hostile sessions in another room or AppID away from the legitimate room', async (t) => {
    // Same AppID, another room: the legitimate room's names are refused, its stream cannot be taken.
    const elsewhere = await HostileSocket.open(url);
    assert.deepEqual(
      await replies(elsewhere, [{ t: 'login', id: 1, ...loginFrame('elsewhere', 'mallory') }]),
      [0],
    );
    const sameApp = await replies(elsewhere, [
      { t: 'broadcast', id: 2, roomID: LEGIT_ROOM, message: 'm' },
      { t: 'setRoomExtraInfo', id: 3, roomID: LEGIT_ROOM, key: 'k', value: 'v' },
      { t: 'publish', id: 4, roomID: 'elsewhere', streamID: LEGIT_STREAM },
      { t: 'unpublish', id: 5, streamID: LEGIT_STREAM },
      { t: 'setStreamExtraInfo', id: 6, streamID: LEGIT_STREAM, extraInfo: 'x' },
      { t: 'streamMediaState', id: 7, streamID: LEGIT_STREAM, audio: 'MUTE' },
      { t: 'play', id: 8, streamID: LEGIT_STREAM },
      { t: 'logout', id: 9, roomID: LEGIT_ROOM },
      { t: 'login', id: 10, ...loginFrame(LEGIT_ROOM, 'alice') },
      { t: 'login', id: 11, ...loginFrame(LEGIT_ROOM, 'mallory', { token: token('nobody') }) },
      { t: 'customCommand', id: 12, roomID: 'elsewhere', command: 'c', toUserIDs: ['alice', 'bob'] },
    ]);
    assert.deepEqual(sameApp.slice(0, 2), [ErrorCode.NOT_IN_ROOM, ErrorCode.NOT_IN_ROOM]);
    assert.equal(sameApp[2], ErrorCode.STREAM_ID_DUPLICATE);
    for (const code of sameApp.slice(3, 10)) assert.ok(code !== 0 && isKnownErrorCode(code), `code ${code}`);
    assert.equal(sameApp[10], 0);
    // Another AppID with the same room name and the same userID: a separate world.
    const otherApp = await HostileSocket.open(url);
    const otherLogin = { t: 'login', id: 1, ...loginFrame(LEGIT_ROOM, 'alice', { app: OTHER_APP }) };
    assert.deepEqual(await replies(otherApp, [otherLogin]), [0]);
    const codes = await replies(otherApp, [
      { t: 'broadcast', id: 2, roomID: LEGIT_ROOM, message: 'm' },
      { t: 'publish', id: 3, roomID: LEGIT_ROOM, streamID: LEGIT_STREAM },
      { t: 'customCommand', id: 4, roomID: LEGIT_ROOM, command: 'c', toUserIDs: ['alice', 'bob'] },
      { t: 'setRoomExtraInfo', id: 5, roomID: LEGIT_ROOM, key: 'k', value: 'v' },
    ]);
    assert.deepEqual(codes, [0, 0, 0, 0]);
    // Then garbage from both logged-in sockets.
    const garbage = sample(hostileText(MAX_FRAME), 2 * FRAMES_PER_SOCKET, SEED + 1);
    for (const [i, s] of [elsewhere, otherApp].entries()) {
      for (const f of garbage.slice(i * FRAMES_PER_SOCKET, (i + 1) * FRAMES_PER_SOCKET)) s.send(f);
      assert.ok(await s.barrier());
      await closeAndCheck(s);
    }
    assertAlive();
    t.diagnostic(`${garbage.length} generated frames after valid logins`);
  });

  it('survives WebSocket protocol violations and upgrade requests that are not URLs', async (t) => {
    const violations = [
      clientFrame(0x81, Buffer.from('{"t":"hb","ack":0}'), false), // unmasked
      clientFrame(0x83, Buffer.alloc(0)), // reserved opcode
      clientFrame(0xc1, Buffer.from('{}')), // RSV1 without an extension
      clientFrame(0x80, Buffer.from('x')), // continuation without a start
      clientFrame(0x89, Buffer.alloc(126)), // a control frame over 125 bytes
      clientFrame(0x01, Buffer.from('{"t"')), // a text frame never finished, then a new one
      Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // a 2^63-byte frame
    ];
    for (const [i, v] of violations.entries()) {
      const extra = i === 5 ? clientFrame(0x81, Buffer.from('{}')) : Buffer.alloc(0);
      const answer = await rawExchange(port, upgradeRequest('/ws'), v, extra);
      const code = closeCodeOf(answer);
      assert.ok(code !== null && CLOSE_CODES.has(code), `violation ${i}: close code ${code}`);
    }
    for (const target of ['//', '//:99999', '/\\', '//[', '*']) {
      const answer = (await rawExchange(port, upgradeRequest(target))).toString();
      assert.match(answer, /^HTTP\/1\.1 (404|400)/, `${target}: ${answer.slice(0, 40)}`);
    }
    const badHandshake = (
      await rawExchange(port, upgradeRequest('/ws', { 'Sec-WebSocket-Version': '99' }))
    ).toString();
    assert.match(badHandshake, /^HTTP\/1\.1 400/);
    // A reset while the 404 is written once raised an unhandled socket error.
    for (let i = 0; i < 40; i++) await upgradeAndReset(port, '/elsewhere');
    counts.raw += violations.length + 6 + 40;
    assertAlive();
    t.diagnostic(`${violations.length} WebSocket protocol violations, 46 hostile upgrade requests`);
  });

  it('left the legitimate users untouched, and they still talk', async (t) => {
    await Promise.all([alice.sync(), bob.sync()]);
    const seen = (c: RawClient, mark: number) => c.frames.slice(mark).filter((f) => f.t !== 'hb');
    assert.deepEqual(seen(alice, marks.alice), []);
    assert.deepEqual(seen(bob, marks.bob), []);
    assert.equal((await bob.request('broadcast', { roomID: LEGIT_ROOM, message: 'after' })).code, 0);
    await alice.waitEvent('broadcast', (e) => e.messages[0]?.message === 'after');
    const cmd = { roomID: LEGIT_ROOM, command: 'still here', toUserIDs: ['bob'] };
    assert.equal((await alice.request('customCommand', cmd)).code, 0);
    await bob.waitEvent('customCommand', (e) => e.command === 'still here');
    await Promise.all([alice.sync(), bob.sync()]);
    const events = (c: RawClient, mark: number) => c.frames.slice(mark).filter((f) => f.t === 'evt');
    assert.equal(events(alice, marks.alice).length, 1);
    assert.equal(events(bob, marks.bob).length, 1);
    t.diagnostic(
      `fuzzed ${counts.frames} WebSocket frames on ${counts.sockets} hostile sockets, ` +
        `plus ${counts.raw} raw protocol frames and upgrade requests`,
    );
  });

  it('kept the server process up, with no internal error logged, until it closed cleanly', async () => {
    assertAlive();
    const report = new Promise<ChildReport>((resolve) =>
      child.once('message', (m) => resolve(m as ChildReport)),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send('close');
    const { errorLines } = await within(report, 10_000, 'the server to close');
    assert.deepEqual(errorLines, []);
    assert.equal(await within(exited, 10_000, 'the server process to exit'), 0, childErr);
  });
});
