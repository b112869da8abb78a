/**
 * The per-address bookkeeping on its own, on a clock the test moves: the lockout's exact doubling and cap, its
 * reset by a success and by time, which failures count, the shared frame budget, forgetting idle addresses and
 * the bound on remembered ones, one warning per interval; and the address keys (IPv6 /64, trusted proxies).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, describe, it } from 'node:test';
import { ErrorCode, ParleyError } from '@parley/protocol';
import { limitsSchema } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { AddressLimits, type AddressSlot } from '../src/signaling/AddressLimits.js';
import { addressKey, clientAddress, TrustedProxies } from '../src/signaling/clientAddress.js';

class Clock {
  t = 1_000_000;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

const opened: AddressLimits[] = [];
after(() => {
  for (const l of opened) l.close();
});

function limitsWith(settings: Parameters<typeof limitsSchema.parse>[0], clock = new Clock()) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line)) });
  const limits = new AddressLimits(limitsSchema.parse(settings), logger, clock.now);
  opened.push(limits);
  return { limits, clock, lines };
}

function slot(limits: AddressLimits, address: string): AddressSlot {
  const admission = limits.admit(address);
  assert.ok(admission.ok, `admitted from ${address}`);
  return admission.slot;
}

/** The lockout the address is under now, in ms (0 if none), as its refusal message tells it. */
function lockout(s: AddressSlot): number {
  try {
    s.checkLogin();
    return 0;
  } catch (err) {
    assert.ok(err instanceof ParleyError);
    assert.equal(err.code, ErrorCode.LOGIN_TOO_FREQUENT);
    const m = /retry in (\d+) ms/.exec(err.msg);
    assert.ok(m, err.msg);
    return Number(m[1]);
  }
}

const badToken = ParleyError.of(ErrorCode.TOKEN_INVALID);

describe('login back-off per address', () => {
  it('locks out after the threshold, doubling per failure up to the cap', () => {
    const { limits, clock } = limitsWith({
      loginFailuresBeforeBackoff: 3,
      loginBackoffMs: 1000,
      loginBackoffMaxMs: 8000,
      loginsPerSecondPerAddress: 0,
    });
    const s = slot(limits, '10.0.0.1');
    s.loginFailed(badToken);
    s.loginFailed(badToken);
    assert.equal(lockout(s), 0, 'two failures: not yet');
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      s.loginFailed(badToken);
      const ms = lockout(s);
      seen.push(ms);
      clock.advance(ms);
      assert.equal(lockout(s), 0, 'the lockout ends on time');
    }
    assert.deepEqual(seen, [1000, 2000, 4000, 8000, 8000]);
    assert.equal(limits.stats().refused.loginBackoff, 5);
  });

  it('ends the back-off with a successful login', () => {
    const { limits, clock } = limitsWith({ loginFailuresBeforeBackoff: 2, loginBackoffMs: 100 });
    const s = slot(limits, '10.0.0.2');
    for (let i = 0; i < 4; i++) {
      s.loginFailed(badToken);
      clock.advance(lockout(s));
    }
    s.loginSucceeded();
    s.loginFailed(badToken);
    assert.equal(lockout(s), 0, 'one failure after a success is below the threshold again');
    s.loginFailed(badToken);
    assert.equal(lockout(s), 100, 'and the next lockout starts from the first step');
  });

  it('forgets failures after the failure memory', () => {
    const { limits, clock } = limitsWith({
      loginFailuresBeforeBackoff: 2,
      loginBackoffMs: 100,
      loginFailureMemoryMs: 5000,
    });
    const s = slot(limits, '10.0.0.3');
    s.loginFailed(badToken);
    clock.advance(5000);
    s.loginFailed(badToken);
    assert.equal(lockout(s), 0, 'the earlier failure was forgotten');
    clock.advance(4999);
    s.loginFailed(badToken);
    assert.equal(lockout(s), 100, 'a failure within the memory counts');
  });

  it('counts only credential failures, never a full room or a failed resume', () => {
    const { limits } = limitsWith({ loginFailuresBeforeBackoff: 1 });
    const s = slot(limits, '10.0.0.4');
    for (const code of [ErrorCode.ROOM_MEMBER_LIMIT, ErrorCode.RECONNECT_FAILED, ErrorCode.INPUT_PARAMETER]) {
      s.loginFailed(ParleyError.of(code));
    }
    s.loginFailed(new Error('not a ParleyError'));
    assert.equal(lockout(s), 0);
    s.loginFailed(ParleyError.of(ErrorCode.APP_SIGN_WRONG));
    assert.ok(lockout(s) > 0);
  });

  it('keeps each address to its own failures', () => {
    const { limits } = limitsWith({ loginFailuresBeforeBackoff: 1 });
    slot(limits, '10.0.0.5').loginFailed(badToken);
    assert.equal(lockout(slot(limits, '10.0.0.6')), 0);
    assert.ok(lockout(slot(limits, '10.0.0.5')) > 0, 'a new socket of the locked address is locked too');
  });
});

describe('budgets per address', () => {
  it('limits logins per second with bursts of twice as many', () => {
    const { limits, clock } = limitsWith({ loginsPerSecondPerAddress: 5 });
    const s = slot(limits, '10.0.1.1');
    for (let i = 0; i < 10; i++) s.checkLogin();
    assert.throws(
      () => s.checkLogin(),
      (e: ParleyError) => e.code === ErrorCode.LOGIN_TOO_FREQUENT,
    );
    clock.advance(200);
    s.checkLogin();
    assert.equal(limits.stats().refused.loginsPerSecondPerAddress, 1);
  });

  it('shares one frame budget among all sockets of an address', () => {
    const { limits, clock } = limitsWith({ framesPerSecondPerAddress: 10 });
    const sockets = [slot(limits, '10.0.1.2'), slot(limits, '10.0.1.2'), slot(limits, '10.0.1.2')];
    let taken = 0;
    for (let i = 0; i < 30; i++) if (sockets[i % 3]!.takeFrame()) taken += 1;
    assert.equal(taken, 20, 'a burst of twice the rate, whichever socket sends');
    assert.ok(slot(limits, '10.0.1.3').takeFrame(), 'another address has its own budget');
    clock.advance(100);
    assert.ok(sockets[0]!.takeFrame());
    assert.equal(limits.stats().refused.framesPerSecondPerAddress, 10);
  });

  it('admits sockets up to the limits and frees them on release and login', () => {
    const { limits } = limitsWith({ socketsPerAddress: 3, preLoginSocketsPerAddress: 2 });
    const a = slot(limits, '10.0.1.4');
    slot(limits, '10.0.1.4');
    const third = limits.admit('10.0.1.4');
    assert.ok(!third.ok && third.limit === 'preLoginSocketsPerAddress');
    third.done();
    a.loggedIn();
    const b = slot(limits, '10.0.1.4');
    const fourth = limits.admit('10.0.1.4');
    assert.ok(!fourth.ok && fourth.limit === 'socketsPerAddress');
    b.release();
    b.release();
    assert.ok(limits.admit('10.0.1.4').ok, 'one released slot, released once');
    assert.deepEqual(
      {
        sockets: limits.stats().refused.socketsPerAddress,
        preLogin: limits.stats().refused.preLoginSocketsPerAddress,
      },
      { sockets: 1, preLogin: 1 },
    );
  });

  it('turns 0 into no limit', () => {
    const { limits } = limitsWith({
      socketsPerAddress: 0,
      preLoginSocketsPerAddress: 0,
      framesPerSecondPerAddress: 0,
      loginsPerSecondPerAddress: 0,
      loginFailuresBeforeBackoff: 0,
    });
    const slots = Array.from({ length: 1000 }, () => slot(limits, '10.0.1.5'));
    for (let i = 0; i < 1000; i++) {
      assert.ok(slots[0]!.takeFrame());
      slots[0]!.checkLogin();
      slots[0]!.loginFailed(badToken);
    }
    assert.deepEqual(Object.values(limits.stats().refused), [0, 0, 0, 0, 0, 0]);
  });
});

describe('memory and logging per address', () => {
  it('forgets idle addresses after a minute, but not those with sockets or remembered failures', () => {
    const { limits, clock } = limitsWith({ loginFailureMemoryMs: 600_000 });
    slot(limits, '10.0.2.1').release();
    slot(limits, '10.0.2.2');
    const failed = slot(limits, '10.0.2.3');
    failed.loginFailed(badToken);
    failed.release();
    clock.advance(59_000);
    limits.sweep();
    assert.equal(limits.stats().addresses, 3);
    clock.advance(1000);
    limits.sweep();
    assert.equal(limits.stats().addresses, 2, 'the idle address is forgotten');
    clock.advance(600_000);
    limits.sweep();
    assert.equal(limits.stats().addresses, 1, 'only the address with an open socket is left');
  });

  it('remembers at most maxTrackedAddresses, evicting idle ones first', () => {
    const { limits } = limitsWith({ maxTrackedAddresses: 10, socketsPerAddress: 1 });
    for (let i = 0; i < 5; i++) slot(limits, `10.0.3.${i}`);
    for (let i = 0; i < 1000; i++) slot(limits, `10.1.${i >> 8}.${i & 255}`).release();
    assert.equal(limits.stats().addresses, 10);
    for (let i = 0; i < 5; i++) {
      const again = limits.admit(`10.0.3.${i}`);
      assert.ok(!again.ok, 'an address with an open socket is never forgotten: its socket still counts');
      again.done();
    }
  });

  it('warns once per address and limit per minute, with the count since', () => {
    const { limits, clock, lines } = limitsWith({ framesPerSecondPerAddress: 1 });
    const a = slot(limits, '10.0.6.1');
    const b = slot(limits, '10.0.6.2');
    for (let i = 0; i < 100; i++) {
      a.takeFrame();
      b.takeFrame();
    }
    const warnings = () => lines.filter((l) => l['msg'] === 'limit reached');
    assert.deepEqual(
      warnings().map((l) => l['address']),
      ['10.0.6.1', '10.0.6.2'],
    );
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) a.takeFrame();
    const last = warnings().at(-1)!;
    assert.equal(last['address'], '10.0.6.1');
    assert.equal(last['limit'], 'framesPerSecondPerAddress');
    assert.equal(last['refusedSinceLastWarning'], 97);
    assert.equal(warnings().length, 3);
  });
});

describe('client addresses', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    assert.equal(addressKey('127.0.0.2'), '127.0.0.2');
    assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('64:ff9b:1:2::1.2.3.4'), '64:ff9b:1:2::/64');
    assert.equal(addressKey('unknown'), 'unknown');
  });

  const request = (remoteAddress: string, forwarded?: string): IncomingMessage =>
    ({
      socket: { remoteAddress },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as IncomingMessage;

  it("believes X-Forwarded-For only from trusted proxies, taking the right-most address that isn't one", () => {
    const none = new TrustedProxies([]);
    assert.equal(clientAddress(request('10.9.9.9', '1.2.3.4'), none), '10.9.9.9');
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '::1']);
    assert.equal(clientAddress(request('127.0.0.1', '1.2.3.4'), proxies), '1.2.3.4');
    assert.equal(
      clientAddress(request('::ffff:127.0.0.1', 'spoofed, 1.2.3.4, 10.1.1.1'), proxies),
      '1.2.3.4',
    );
    assert.equal(clientAddress(request('::1', '2001:db8:5:6::7'), proxies), '2001:db8:5:6::/64');
    assert.equal(clientAddress(request('127.0.0.1'), proxies), '127.0.0.1', 'no header: the proxy itself');
    assert.equal(clientAddress(request('127.0.0.1', 'garbage'), proxies), '127.0.0.1');
    assert.equal(clientAddress(request('127.0.0.1', '10.2.2.2'), proxies), '127.0.0.1', 'only proxies');
    assert.equal(clientAddress(request('192.168.1.1', '1.2.3.4'), proxies), '192.168.1.1', 'not a proxy');
  });

  it('refuses trusted proxies that are neither addresses nor CIDR ranges', () => {
    for (const bad of ['proxy.local', '10.0.0.0/33', '::1/129', '10.0.0.0/x', '']) {
      assert.throws(() => new TrustedProxies([bad]), TypeError, bad);
    }
  });
});
