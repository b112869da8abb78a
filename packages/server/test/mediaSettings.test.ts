/**
 * The media settings reach the SFU: a publisher's answer carries host candidates on the announced address only,
 * with ports from `media.portRange`, and the STUN responder listens on `media.stunPort`; the media connects.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { TestPublisher } from './sfu/support/clients.js';
import { type Harness, startHarness } from './support/harness.js';
import { iceServersOf, ok } from './support/mediaSignaling.js';

/** A free UDP port on loopback, below the ephemeral range so no other socket takes it meanwhile. */
async function freeUdpPort(from: number): Promise<number> {
  for (let port = from; port < from + 500; port++) {
    const socket = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (free) return port;
  }
  throw new Error(`no free UDP port in ${from}..${from + 499}`);
}

describe('media settings', () => {
  // A range of its own per process, so test files running at once do not compete for it.
  const low = 20_000 + (process.pid % 100) * 100;
  const range: [number, number] = [low, low + 49];
  let stunPort: number;
  let h: Harness;
  const peers: TestPublisher[] = [];

  before(async () => {
    stunPort = await freeUdpPort(low + 50);
    h = await startHarness({
      media: { announcedAddresses: ['127.0.0.1'], portRange: `${range[0]}-${range[1]}`, stunPort },
    });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  it('reports the announced addresses and how they were chosen', () => {
    assert.deepEqual(h.server.media, { announcedAddresses: ['127.0.0.1'], origin: 'configured' });
  });

  it('announces the STUN responder on the configured port', async () => {
    const c = await h.login('media-settings', 'stun');
    assert.deepEqual(iceServersOf(c), [`stun:127.0.0.1:${stunPort}`]);
  });

  it('answers with candidates on the announced address and ports of the range, and connects', async () => {
    const c = await h.login('media-settings', 'pub');
    const publisher = new TestPublisher({ url: iceServersOf(c)[0]! });
    peers.push(publisher);
    let answer = '';
    await publisher.negotiate(async (sdp) => {
      answer = ok(await c.request('publish', { roomID: 'media-settings', streamID: 'ranged', sdp }))[
        'sdp'
      ] as string;
      return answer;
    });
    const candidates = [...answer.matchAll(/^a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ (\w+)/gm)];
    assert.ok(candidates.length > 0, answer);
    for (const [, address, port, type] of candidates) {
      assert.equal(address, '127.0.0.1');
      assert.equal(type, 'host');
      assert.ok(Number(port) >= range[0] && Number(port) <= range[1], `port ${port} in ${range.join('-')}`);
    }
  });
});
