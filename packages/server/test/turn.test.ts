/**
 * TURN servers offered to sessions: the login and resume replies carry credentials of the TURN REST API scheme
 * that verify with the shared secret, renewals arrive before the credentials expire and stop with the session,
 * and a server without TURN offers none.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { EncodedEvent, TurnServers } from '@parley/protocol';
import { Session, type SessionTransport } from '../src/rooms/Session.js';
import { SessionTurn, TURN_RENEW_FRACTION } from '../src/rooms/SessionTurn.js';
import { loginFrame, startHarness } from './support/harness.js';

const SECRET = 'north-wind-42';
const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349?transport=tcp'];

/** Checks `turn` the way coturn does: the username names `userID` and its expiry, the password is its HMAC. */
function assertValid(
  turn: TurnServers | undefined,
  userID: string,
  ttlSeconds: number,
  at = Date.now(),
): void {
  assert.ok(turn, 'the reply carries TURN servers');
  assert.deepEqual(turn.urls, URLS);
  assert.equal(turn.username, `${turn.expiresAt}:${userID}`);
  assert.equal(turn.credential, createHmac('sha1', SECRET).update(turn.username).digest('base64'));
  const nowSeconds = Math.floor(at / 1000);
  assert.ok(
    turn.expiresAt > nowSeconds && turn.expiresAt <= nowSeconds + ttlSeconds,
    `expiresAt ${turn.expiresAt} within ${ttlSeconds} s of ${nowSeconds}`,
  );
}

describe('TURN credentials', () => {
  it('the login reply carries credentials that verify with the secret; a second room and a resume get them too', async () => {
    const h = await startHarness({ turn: { urls: URLS, secret: SECRET, ttlSeconds: 600 } });
    try {
      const client = await h.connect();
      const first = await client.request('login', loginFrame('turn-a', 'tina'));
      assert.equal(first.code, 0);
      const data = first.data as { sessionID: string; resumeKey: string; turn?: TurnServers };
      assertValid(data.turn, 'tina', 600);

      // The same session in a second room: the same credentials, not a second set.
      const second = await client.request('login', loginFrame('turn-b', 'tina'));
      assert.equal(second.code, 0);
      assert.deepEqual((second.data as { turn?: TurnServers }).turn, data.turn);

      const lastSeq = client.lastSeq();
      await client.cut();
      const again = await h.connect();
      const resumed = await again.request('resume', {
        sessionID: data.sessionID,
        resumeKey: data.resumeKey,
        lastSeq,
      });
      assert.equal(resumed.code, 0);
      assert.deepEqual((resumed.data as { turn?: TurnServers }).turn, data.turn);

      // Another user gets credentials of their own.
      const other = await (await h.connect()).request('login', loginFrame('turn-a', 'otto'));
      assertValid((other.data as { turn?: TurnServers }).turn, 'otto', 600);
    } finally {
      await h.close();
    }
  });

  it('a server without TURN offers none', async () => {
    const h = await startHarness({});
    try {
      const client = await h.connect();
      const reply = await client.request('login', loginFrame('no-turn', 'nora'));
      assert.equal(reply.code, 0);
      assert.equal('turn' in (reply.data as object), false);
      await client.sync();
      assert.deepEqual(client.events('turnCredentials'), []);
    } finally {
      await h.close();
    }
  });

  it('the schema refuses TURN URLs without a secret', async () => {
    await assert.rejects(startHarness({ turn: { urls: URLS } }), /turn\.secret/);
  });
});

/** A socket that hands each frame to the test. */
class RecordingTransport implements SessionTransport {
  readonly frames: { at: number; text: string }[] = [];
  private waiters: (() => void)[] = [];
  send(text: string): void {
    this.frames.push({ at: Date.now(), text });
    for (const wake of this.waiters.splice(0)) wake();
  }
  close(): void {}
  /** Resolves once `count` frames arrived, or rejects after `timeoutMs`. */
  until(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.frames.length} of ${count} frames`)),
        timeoutMs,
      );
      const check = (): void => {
        if (this.frames.length >= count) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

function renewalOf(text: string): TurnServers {
  const frame = JSON.parse(text) as { t: string; ev: { type: string; turn: TurnServers } };
  assert.equal(frame.t, 'evt');
  assert.equal(frame.ev.type, 'turnCredentials');
  return frame.ev.turn;
}

describe('SessionTurn', () => {
  it('pushes new credentials before the current ones expire, again and again, and stops with the session', async () => {
    const transport = new RecordingTransport();
    const session = new Session('s1', 'k1', 1, { userID: 'rena', userName: 'rena' }, transport, 64);
    const ttlSeconds = 2;
    const started = Date.now();
    session.turn = new SessionTurn({ urls: URLS, secret: SECRET, ttlSeconds }, 'rena', (turn) =>
      session.push(JSON.stringify({ type: 'turnCredentials', turn }) as EncodedEvent),
    );
    const initial = session.turn.servers;
    assertValid(initial, 'rena', ttlSeconds, started);

    await transport.until(2, 10_000);
    const [one, two] = transport.frames.map((f) => ({ at: f.at, turn: renewalOf(f.text) }));
    assert.ok(one && two);
    // Each renewal arrives before the credentials it replaces expire, and the newest is what a resume gets.
    assert.ok(one.at < initial.expiresAt * 1000, `renewed at ${one.at}, before ${initial.expiresAt} s`);
    assert.ok(two.at < one.turn.expiresAt * 1000);
    assertValid(one.turn, 'rena', ttlSeconds, one.at);
    assertValid(two.turn, 'rena', ttlSeconds, two.at);
    assert.ok(two.turn.expiresAt >= one.turn.expiresAt && one.turn.expiresAt >= initial.expiresAt);
    assert.deepEqual(session.turn.servers, two.turn);

    // Once the session ends, no renewal comes: wait past the time the next one was due.
    session.markClosed();
    const due = two.at + TURN_RENEW_FRACTION * (two.turn.expiresAt * 1000 - two.at);
    await assert.rejects(transport.until(3, Math.max(0, due - Date.now()) + 500), /2 of 3 frames/);
  });
});
