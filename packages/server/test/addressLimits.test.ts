/**
 * The per-address limits on a real server, with clients on distinct loopback addresses (any 127.x.y.z is local
 * on Linux; the server sees the address the client socket bound): each limit is hit and answered with its code
 * and counted in /healthz, and an address at every limit at once does not stop another address from logging
 * in, publishing and exchanging messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@parley/protocol';
import { WebSocket } from 'ws';
import { createLogger } from '../src/index.js';
import type { LimitStats } from '../src/signaling/AddressLimits.js';
import { waitFor } from './sfu/support/waitFor.js';
import { type Harness, loginFrame, token } from './support/harness.js';
import { harnessesClosedAfterFile } from './support/harnessPool.js';
import { ok, playMedia, publishMedia } from './support/mediaSignaling.js';
import type { RawClient } from './support/RawClient.js';

const ATTACKER = '127.0.0.2';
const VICTIM = '127.0.0.3';
const NEIGHBOUR = '127.0.0.4';

const harness = harnessesClosedAfterFile();

async function healthOf(h: Harness): Promise<{ connections: number; limits: LimitStats }> {
  return (await (await fetch(`${h.server.httpUrl}/healthz`)).json()) as {
    connections: number;
    limits: LimitStats;
  };
}

/** Opens a socket from `from` that the server must refuse; resolves with how it was closed. */
function refusedSocket(h: Harness, from: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(h.server.url, { localAddress: from });
  return new Promise((resolve, reject) => {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { t: string }).t === 'hello') {
        ws.terminate();
        reject(new Error(`a socket from ${from} was admitted`));
      }
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

const badLogin = (roomID: string, userID: string) => loginFrame(roomID, userID, { token: '04garbage' });

describe('limits per address', () => {
  it('refuses sockets beyond socketsPerAddress with 1013, from that address only', async () => {
    const h = await harness({ limits: { socketsPerAddress: 5, preLoginSocketsPerAddress: 0 } });
    const held = await Promise.all(Array.from({ length: 5 }, () => h.connect(ATTACKER)));
    const refusal = await refusedSocket(h, ATTACKER);
    assert.equal(refusal.code, CloseCode.TryAgainLater);
    assert.match(refusal.reason, /too many sockets from this address \(5\)/);
    await h.login('sockets', 'victim', { from: VICTIM });
    await h.login('sockets', 'local');
    // A socket that closes gives its place back.
    await held[0]!.close();
    await waitFor(async () => (await healthOf(h)).connections === 6, 'the server saw the close');
    await h.login('sockets', 'attacker', { from: ATTACKER });
    assert.equal((await healthOf(h)).limits.refused.socketsPerAddress, 1);
  });

  it('refuses sockets beyond preLoginSocketsPerAddress with 1013 until one logs in or times out', async () => {
    const h = await harness({
      limits: { preLoginSocketsPerAddress: 3 },
      signaling: { loginTimeoutMs: 2000 },
    });
    const waiting = await Promise.all(Array.from({ length: 3 }, () => h.connect(ATTACKER)));
    const refusal = await refusedSocket(h, ATTACKER);
    assert.equal(refusal.code, CloseCode.TryAgainLater);
    assert.match(refusal.reason, /waiting to log in/);
    // Logging one in frees its place among the waiting ones.
    assert.equal((await waiting[0]!.request('login', loginFrame('pre', 'one'))).code, 0);
    const fourth = await h.connect(ATTACKER);
    await h.login('pre', 'victim', { from: VICTIM });
    // The waiting sockets are closed by the login timeout, which frees their places too.
    for (const c of [waiting[1]!, waiting[2]!, fourth]) {
      assert.equal((await c.waitClose()).code, CloseCode.LoginTimeout);
    }
    await waitFor(async () => (await healthOf(h)).connections === 2, 'the server saw the closes');
    await Promise.all(Array.from({ length: 3 }, () => h.connect(ATTACKER)));
    assert.equal((await healthOf(h)).limits.refused.preLoginSocketsPerAddress, 1);
  });

  it('answers logins beyond loginsPerSecondPerAddress with 1002071, per address', async () => {
    // Half a login a second: a burst of one, then one every two seconds.
    const h = await harness({ limits: { loginsPerSecondPerAddress: 0.5 } });
    const sockets = await Promise.all(Array.from({ length: 4 }, () => h.connect(ATTACKER)));
    const replies = await Promise.all(
      sockets.map((c, i) => c.request('login', loginFrame('rate', `burst${i}`))),
    );
    const refused = replies.filter((r) => r.code === ErrorCode.LOGIN_TOO_FREQUENT);
    assert.ok(replies.filter((r) => r.code === 0).length >= 1, 'the burst passes');
    assert.ok(refused.length >= 2, `refused: ${replies.map((r) => r.code)}`);
    assert.match(refused[0]!.msg, /more than 0.5 logins a second from this address/);
    await h.login('rate', 'victim', { from: VICTIM });
    assert.equal((await healthOf(h)).limits.refused.loginsPerSecondPerAddress, refused.length);
  });

  it('locks an address out after failed logins, twice as long per failure up to the cap, until a success', async () => {
    const lines: Record<string, unknown>[] = [];
    const h = await harness({
      signaling: { framesPerSecond: 1000 },
      limits: {
        loginFailuresBeforeBackoff: 2,
        loginBackoffMs: 100,
        loginBackoffMaxMs: 400,
        loginsPerSecondPerAddress: 0,
      },
      logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
    });
    /** The lockouts the server imposed on `address` so far, in ms. */
    const lockouts = (address: string) =>
      lines
        .filter((l) => l['msg'] === 'login lockout' && l['address'] === address)
        .map((l) => l['lockoutMs']);
    const guesser = await h.connect(ATTACKER);
    /** Sends failing logins until one is checked again (refused for its token): the lockout is over. */
    const failOnceAllowed = async (): Promise<void> => {
      for (;;) {
        const r = await guesser.request('login', badLogin('guess', 'g'));
        if (r.code === ErrorCode.TOKEN_INVALID) return;
        assert.equal(r.code, ErrorCode.LOGIN_TOO_FREQUENT, r.msg);
        assert.match(r.msg, /too many failed logins from this address, retry in \d+ ms/);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    await failOnceAllowed();
    assert.deepEqual(lockouts(ATTACKER), [], 'one failure: no lockout yet');
    await failOnceAllowed();
    const victim = await h.login('guess', 'victim', { from: VICTIM });
    for (let n = 3; n <= 5; n++) await failOnceAllowed();
    assert.deepEqual(lockouts(ATTACKER), [100, 200, 400, 400]);
    assert.ok((await healthOf(h)).limits.refused.loginBackoff > 0);
    // A success, once allowed, ends it: the next lockout starts from the first step again.
    await waitFor(
      async () => (await guesser.request('login', loginFrame('guess', 'g'))).code === 0,
      'a login after the lockout',
    );
    const fresh = await h.connect(ATTACKER);
    for (let n = 1; n <= 2; n++) {
      assert.equal((await fresh.request('login', badLogin('guess', 'g2'))).code, ErrorCode.TOKEN_INVALID);
    }
    assert.deepEqual(lockouts(ATTACKER), [100, 200, 400, 400, 100]);
    assert.deepEqual(lockouts(VICTIM), []);
    assert.equal((await victim.request('broadcast', { roomID: 'guess', message: 'still here' })).code, 0);
  });

  it('forgets failed logins after loginFailureMemoryMs', async () => {
    const memoryMs = 200;
    const h = await harness({
      limits: { loginFailuresBeforeBackoff: 2, loginBackoffMs: 60_000, loginFailureMemoryMs: memoryMs },
    });
    const c = await h.connect(ATTACKER);
    assert.equal((await c.request('login', badLogin('forget', 'f'))).code, ErrorCode.TOKEN_INVALID);
    const failedAt = Date.now();
    // The window itself is what is tested: wait it out.
    await new Promise((resolve) => setTimeout(resolve, memoryMs + 20 - (Date.now() - failedAt)));
    // Without forgetting, the first of these would be failure 2 and lock the address; forgotten, it is failure 1,
    // and the next one (read in the same burst, well within the memory) is failure 2.
    const replies = await Promise.all([
      c.request('login', badLogin('forget', 'f')),
      c.request('login', badLogin('forget', 'f')),
      c.request('login', loginFrame('forget', 'f')),
    ]);
    assert.deepEqual(
      replies.map((r) => r.code),
      [ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_INVALID, ErrorCode.LOGIN_TOO_FREQUENT],
    );
    assert.match(replies[2]!.msg, /too many failed logins from this address/);
  });

  it('shares framesPerSecondPerAddress among all sockets of an address, and warns once', async () => {
    const lines: Record<string, unknown>[] = [];
    const h = await harness({
      signaling: { framesPerSecond: 100 },
      limits: { framesPerSecondPerAddress: 50 },
      logger: createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line)) }),
    });
    const victim = await h.login('frames', 'victim', { from: VICTIM });
    const mate = await h.login('frames', 'mate', { from: NEIGHBOUR });
    const attackers = await Promise.all(Array.from({ length: 10 }, () => h.connect(ATTACKER)));
    // 30 frames per socket is far within each socket's own burst (200); together they are 300.
    for (const c of attackers) for (let i = 0; i < 30; i++) c.sendRaw({ t: 'hb', ack: 0 });
    await Promise.all(
      attackers.map((c) =>
        c.waitFrame((f) => f.t === 'hb' || (f.t === 'error' && f.code === ErrorCode.MESSAGE_TOO_FREQUENT)),
      ),
    );
    await waitFor(
      async () => (await healthOf(h)).limits.refused.framesPerSecondPerAddress > 0,
      'the address budget to refuse the excess',
    );
    assert.ok(
      attackers.some((c) =>
        c.frames.some((f) => f.t === 'error' && f.code === ErrorCode.MESSAGE_TOO_FREQUENT),
      ),
    );
    assert.equal((await victim.request('broadcast', { roomID: 'frames', message: 'hi' })).code, 0);
    await mate.waitEvent('broadcast', (e) => e.messages.some((m) => m.message === 'hi'));
    const warned = lines.filter(
      (l) => l['msg'] === 'limit reached' && l['limit'] === 'framesPerSecondPerAddress',
    );
    assert.deepEqual(
      warned.map((l) => l['address']),
      [ATTACKER],
      'one warning for the address, not one per frame',
    );
  });

  it('keeps memory bounded under a flood of addresses', async () => {
    const h = await harness({ limits: { maxTrackedAddresses: 8 } });
    for (let i = 1; i <= 30; i++) {
      const c = await h.connect(`127.0.1.${i}`);
      await c.close();
      await waitFor(async () => (await healthOf(h)).connections === 0, 'the server saw the close');
    }
    assert.equal((await healthOf(h)).limits.addresses, 8);
  });
});

describe('an address at its limits', () => {
  const SIEGE_LIMITS = ['socketsPerAddress', 'loginBackoff', 'framesPerSecondPerAddress'] as const;

  it('does not stop another address from logging in, publishing and exchanging messages', async (t) => {
    const h = await harness({
      signaling: { framesPerSecond: 100 },
      limits: {
        socketsPerAddress: 20,
        preLoginSocketsPerAddress: 10,
        loginsPerSecondPerAddress: 20,
        framesPerSecondPerAddress: 100,
        loginFailuresBeforeBackoff: 3,
        loginBackoffMs: 60_000,
      },
    });
    // The attacker fills its sockets: 10 logged in, 10 waiting, and is refused one more.
    const members: RawClient[] = [];
    for (let i = 0; i < 10; i++) members.push(await h.login('siege', `attacker${i}`, { from: ATTACKER }));
    const waiting = await Promise.all(Array.from({ length: 10 }, () => h.connect(ATTACKER)));
    assert.equal((await refusedSocket(h, ATTACKER)).code, CloseCode.TryAgainLater);
    // It guesses tokens until locked out.
    for (let i = 0; i < 3; i++) await waiting[i]!.request('login', badLogin('siege', `guess${i}`));
    assert.equal(
      (await waiting[3]!.request('login', loginFrame('siege', 'late'))).code,
      ErrorCode.LOGIN_TOO_FREQUENT,
    );
    const before = (await healthOf(h)).limits.refused;
    // For the rest of the test it spends its frame budget (a burst of 200) at once and then sends 120 frames a
    // second over its sockets (its budget is 100, and each socket could send 100), keeps opening sockets and keeps
    // logging in. Its refused frames count against its sockets slowly enough that none is closed for them.
    const all = [...members, ...waiting];
    let tick = 0;
    const refusals: Promise<unknown>[] = [];
    const tryAgain = (): void => {
      refusals.push(refusedSocket(h, ATTACKER));
      waiting[4]!.sendRaw({ t: 'login', id: 10_000 + tick, ...loginFrame('siege', 'again') });
    };
    for (const c of all) for (let i = 0; i < 11; i++) c.sendRaw({ t: 'hb', ack: 0 });
    tryAgain();
    // A tick's login goes first: the address's budget refills by 5 frames between ticks, so the tick's first
    // frames pass and its last ones are refused, and a login sent last would seldom reach the lockout check.
    const siege = setInterval(() => {
      tick += 1;
      if (tick % 4 === 0) tryAgain();
      for (let i = 0; i < 6; i++) all[(tick * 6 + i) % all.length]!.sendRaw({ t: 'hb', ack: 0 });
    }, 50);
    const peers: { close(): Promise<void> }[] = [];
    try {
      await waitFor(
        async () => (await healthOf(h)).limits.refused.framesPerSecondPerAddress > 0,
        'the attacker to spend its frame budget',
      );
      const alice = await h.login('calm', 'alice', { from: VICTIM });
      const bob = await h.login('calm', 'bob', { from: NEIGHBOUR });
      const publisher = await publishMedia(alice, 'calm', 'alice-cam');
      peers.push(publisher);
      const stop = publisher.pump(5);
      try {
        await bob.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
        const { player } = await playMedia(bob, 'alice-cam');
        peers.push(player);
        await waitFor(() => player.received.audio.length > 10, 'audio at the player');
      } finally {
        stop();
      }
      ok(await alice.request('broadcast', { roomID: 'calm', message: 'hello bob' }));
      await bob.waitEvent('broadcast', (e) => e.messages.some((m) => m.message === 'hello bob'));
      ok(await bob.request('customCommand', { roomID: 'calm', command: 'hi alice', toUserIDs: ['alice'] }));
      await alice.waitEvent('customCommand', (e) => e.command === 'hi alice');
      const carol = await h.connect(VICTIM);
      ok(await carol.request('login', loginFrame('calm', 'carol', { token: token('carol') })));
      await waitFor(async () => {
        const refused = (await healthOf(h)).limits.refused;
        return SIEGE_LIMITS.every((limit) => refused[limit] > before[limit]);
      }, 'every limit to refuse the attacker during the siege');
    } finally {
      clearInterval(siege);
      await Promise.all(peers.map((p) => p.close()));
    }
    for (const r of await Promise.all(refusals))
      assert.equal((r as { code: number }).code, CloseCode.TryAgainLater);
    // The attacker stayed at its limits the whole time: refused all along, and none of its sockets was lost.
    const during = (await healthOf(h)).limits.refused;
    for (const limit of SIEGE_LIMITS) {
      assert.ok(during[limit] > before[limit], `${limit} kept refusing the attacker`);
    }
    assert.ok(all.every((c) => !c.isClosed));
    t.diagnostic(`attacker refused during the siege: ${JSON.stringify(during)}`);
  });
});
