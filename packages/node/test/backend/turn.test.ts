/**
 * The werift backend through Debian's coturn, on loopback: with relay only, a publisher and a player reach a real
 * SfuRouter through a TURN server reached over UDP, TCP or TLS — coturn opens only that one listener, so the
 * relay candidate ICE picked proves the transport. On the direct path with credentials coturn refuses, the
 * connection reports 401 (the backend checks the credentials apart from werift) and connects directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { turnCredentials } from '@parley/server';
import { LoopbackCoturn, skipWithoutCoturn, type TurnTransport } from '@parley/server/test/coturn';
import {
  createNodeLocalStream,
  type WeriftConnection,
  WeriftMediaBackend,
} from '../../src/media/backend/index.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { once, play, publish, until } from './support/media.js';
import { SfuRouterClass } from './support/sfu.js';

const SECRET = 'loopback-turn-secret';
const skip = skipWithoutCoturn();

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

/** The candidate pair ICE nominated, once it has. */
async function route(conn: WeriftConnection<any>) {
  let pair: Awaited<ReturnType<WeriftConnection<any>['selectedCandidates']>> = null;
  await until(
    async () => {
      pair = await conn.selectedCandidates();
      return pair !== null;
    },
    () => 'a nominated candidate pair',
  );
  return pair!;
}

describe('TURN with relay only', { skip }, () => {
  for (const transport of ['udp', 'tcp', 'tls'] as TurnTransport[]) {
    test(`publish and play through coturn over ${transport.toUpperCase()}`, async (t) => {
      const coturn = await LoopbackCoturn.start({ secret: SECRET, transports: [transport] });
      const router = new SfuRouterClass();
      const backend = new WeriftMediaBackend({ turnTls: { ca: coturn.certificate.cert } });
      const stream = createNodeLocalStream();
      t.after(async () => {
        backend.close();
        stream.close();
        await router.close();
        await coturn.close();
      });
      const { username, credential } = turnCredentials(SECRET, 'relay-user', 600);
      const ice = {
        turn: { urls: [coturn.url(transport)], username, credential },
        iceTransportPolicy: 'relay' as const,
      };
      const started = performance.now();
      const { conn: pub } = await publish(backend, router, stun, 'cam', stream, ice);
      const sink = backend.createOutput('cam');
      const { conn: player } = await play(backend, router, stun, 'viewer', 'cam', sink, ice);
      await until(
        () => sink.counts.videoFrames >= 10,
        () => `10 video frames through coturn (have ${sink.counts.videoFrames})`,
      );
      const ms = Math.round(performance.now() - started);

      for (const conn of [pub, player]) {
        const { local, remote } = await route(conn);
        assert.equal(local.candidateType, 'relay', `a relay candidate: ${JSON.stringify(local)}`);
        assert.equal(local.address, coturn.relayIp);
        assert.equal(remote.address, '127.0.0.1');
      }
      // coturn carried it over the one listener it had open.
      await coturn.untilLog(/ALLOCATE processed, success/);
      t.diagnostic(`relayed over ${transport}: publish and 10 frames played in ${ms} ms`);
    });
  }
});

describe('TURN credentials coturn refuses', { skip }, () => {
  test('the connection reports 401 and connects directly all the same', async (t) => {
    const coturn = await LoopbackCoturn.start({ secret: SECRET, transports: ['udp'] });
    const router = new SfuRouterClass();
    const backend = new WeriftMediaBackend();
    const stream = createNodeLocalStream();
    t.after(async () => {
      backend.close();
      stream.close();
      await router.close();
      await coturn.close();
    });
    const { username, credential } = turnCredentials('not-the-secret', 'wrong-user', 600);
    const turn = { urls: [coturn.url('udp')], username, credential };
    const started = performance.now();
    const conn = backend.createPublishConnection({
      streamID: 'cam',
      source: stream,
      iceServers: [{ urls: [stun.url] }, turn],
      iceTransportPolicy: 'all',
      serverUrl: 'ws://127.0.0.1:9/ws',
    }) as unknown as WeriftConnection<any> & {
      createOffer(): Promise<string>;
      setAnswer(s: string): Promise<void>;
    };
    const refused = once(conn, 'iceServerError', 30_000);
    const connected = once(conn, 'connected', 30_000);
    const offer = await conn.createOffer();
    const gatheredMs = Math.round(performance.now() - started);
    assert.doesNotMatch(offer, / typ relay/);
    const { answerSdp } = await router.publish('cam', offer);
    await conn.setAnswer(answerSdp);
    await connected;
    const [error] = (await refused) as [{ url: string; code: number; text: string }];
    assert.equal(error.url, turn.urls[0]);
    assert.equal(error.code, 401);
    const { local } = await route(conn);
    assert.equal(local.candidateType, 'host');
    t.diagnostic(`offer gathered in ${gatheredMs} ms; coturn answered ${error.code} ${error.text}`);
  });
});
