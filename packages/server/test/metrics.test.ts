/**
 * `GET /metrics`: the Prometheus text format (checked by Debian's `promtool check metrics`), the counters moving
 * with real logins and real media, counters that never step back when transports close, the protection of
 * `http.adminToken` and `http.adminAllow`, and one `node` label per node of a cluster.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { waitFor } from './sfu/support/waitFor.js';
import { CallbackReceiver } from './support/CallbackReceiver.js';
import { APP, type Harness, loginFrame, startHarness } from './support/harness.js';
import { ok, playMedia, publishMedia } from './support/mediaSignaling.js';

const PROMTOOL = '/usr/bin/promtool';
const TOKEN = 'metrics-token-0123456789';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET `path` on `server`, with `headers`, from `localAddress` if given. */
function get(
  server: { port: number },
  path: string,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, headers, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function scrape(server: { port: number }, headers: Record<string, string> = {}): Promise<string> {
  const res = await get(server, '/metrics', headers);
  assert.equal(res.status, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** The value of the sample `name{labels…}` (the labels given must match; others may be there), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Runs `promtool check metrics` on `text`; fails on any problem it reports. */
async function promtoolCheck(text: string, t: { skip(msg: string): void }): Promise<void> {
  if (!existsSync(PROMTOOL)) {
    if (process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1')
      assert.fail('promtool is required but not installed');
    t.skip('promtool is not installed');
    return;
  }
  const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
    child.stdin.end(text);
  });
  assert.equal(code, 0, `promtool check metrics failed:\n${output}`);
  assert.equal(output.trim(), '', `promtool reports problems:\n${output}`);
}

async function nodeIDOf(server: { httpUrl: string }): Promise<string> {
  const res = await fetch(`${server.httpUrl}/healthz`);
  return ((await res.json()) as { cluster: { nodeID: string } }).cluster.nodeID;
}

describe('/metrics on one server', () => {
  let h: Harness;
  const peers: { close(): Promise<void> }[] = [];
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  it('counts logins by code, rooms, sessions, transports and media in and out, in a format promtool accepts', async (t) => {
    const node = await nodeIDOf(h.server);
    const before = await scrape(h.server);
    assert.equal(sample(before, 'parley_rooms', { node }), 0);
    assert.equal(sample(before, 'parley_rtp_packets_in_total', { node, via: 'client' }), 0);
    assert.ok((sample(before, 'process_cpu_seconds_total', { node }) ?? -1) >= 0, 'process CPU of the node');
    assert.notEqual(sample(before, 'nodejs_eventloop_lag_seconds', { node }), undefined, 'event-loop delay');

    const alice = await h.login('mx', 'alice');
    const bob = await h.login('mx', 'bob');
    const intruder = await h.connect();
    const refused = await intruder.request('login', loginFrame('mx', 'mallory', { token: 'not-a-token' }));
    assert.notEqual(refused.code, 0);

    const publisher = await publishMedia(alice, 'mx', 'cam');
    peers.push(publisher);
    const stop = publisher.pump(5);
    try {
      await bob.waitEvent('streamUpdate');
      const { player } = await playMedia(bob, 'cam');
      peers.push(player);
      await waitFor(() => player.received.audio.length > 20, 'audio at the player');
      const text = await scrape(h.server);
      await promtoolCheck(text, t);
      assert.equal(sample(text, 'parley_logins_total', { node, result: 'success', code: '0' }), 2);
      assert.equal(
        sample(text, 'parley_logins_total', { node, result: 'failure', code: String(refused.code) }),
        1,
      );
      assert.equal(sample(text, 'parley_rooms', { node }), 1);
      assert.equal(sample(text, 'parley_sessions', { node }), 2);
      assert.equal(sample(text, 'parley_streams', { node }), 1);
      const health = (await (await fetch(`${h.server.httpUrl}/healthz`)).json()) as { connections: number };
      assert.equal(sample(text, 'parley_connections', { node }), health.connections);
      assert.ok(health.connections >= 2);
      assert.equal(sample(text, 'parley_media_transports', { node, kind: 'publish' }), 1);
      assert.equal(sample(text, 'parley_media_transports', { node, kind: 'play' }), 1);
      assert.equal(sample(text, 'parley_media_transports', { node, kind: 'pipe_in' }), 0);
      for (const name of ['parley_rtp_packets_in_total', 'parley_rtp_bytes_in_total']) {
        assert.ok((sample(text, name, { node, via: 'client' }) ?? 0) > 0, name);
      }
      for (const name of ['parley_rtp_packets_out_total', 'parley_rtp_bytes_out_total']) {
        assert.ok((sample(text, name, { node, via: 'client' }) ?? 0) > 0, name);
      }
      // Both peers on the node's one media port; nothing on it failed.
      assert.equal(sample(text, 'parley_media_port_tuples', { node }), 2);
      for (const result of ['answered', 'dropped']) {
        assert.ok((sample(text, 'parley_media_port_datagrams_total', { node, result }) ?? -1) >= 0, result);
      }
      assert.equal(sample(text, 'parley_media_port_datagrams_total', { node, result: 'failed' }), 0);
      const forwarded = sample(text, 'parley_rtp_packets_out_total', { node, via: 'client' })!;
      const received = sample(text, 'parley_rtp_packets_in_total', { node, via: 'client' })!;

      // The transports close; what they counted stays in the counters.
      ok(await bob.request('stopPlay', { streamID: 'cam' }));
      ok(await alice.request('unpublish', { streamID: 'cam' }));
      await waitFor(
        async () =>
          sample(await scrape(h.server), 'parley_media_transports', { node, kind: 'publish' }) === 0,
        'the publisher transport to close',
      );
      const later = await scrape(h.server);
      assert.equal(sample(later, 'parley_media_transports', { node, kind: 'play' }), 0);
      assert.ok(sample(later, 'parley_rtp_packets_in_total', { node, via: 'client' })! >= received);
      assert.ok(sample(later, 'parley_rtp_packets_out_total', { node, via: 'client' })! >= forwarded);
      await promtoolCheck(later, t);
    } finally {
      stop();
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const res = await fetch(`${h.server.httpUrl}/metrics`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    const post = await fetch(`${h.server.httpUrl}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
  });
});

describe('/metrics of server callbacks', () => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const o of open.reverse()) await o.close();
  });

  it('counts callback deliveries delivered, retried and dropped, and those pending', async (t) => {
    const receiver = await CallbackReceiver.start();
    open.push(receiver);
    // One retry, 5 ms after the first attempt: room_login fails once then goes through; room_logout never does.
    let loginFailures = 0;
    receiver.answer = (body) => {
      if (body.event === 'room_logout') return 500;
      if (body.event === 'room_login' && loginFailures++ < 1) return 503;
      return 200;
    };
    const h = await startHarness({
      apps: [{ ...APP, callbackUrl: receiver.url, callbackSecret: 'callback-secret-0123' }],
      callbacks: { retryDelaysMs: [5] },
    });
    open.push(h);
    const node = await nodeIDOf(h.server);
    const first = await scrape(h.server);
    for (const result of ['delivered', 'retried', 'dropped']) {
      assert.equal(sample(first, 'parley_callback_deliveries_total', { node, result }), 0, result);
    }
    assert.equal(sample(first, 'parley_callbacks_pending', { node }), 0);

    const alice = await h.login('cb-metrics', 'alice');
    ok(await alice.request('logout', { roomID: 'cb-metrics' }));
    // room_create, room_login (once refused), room_logout (refused twice), room_close: four events.
    await receiver.until(() => receiver.calls.filter((c) => c.status !== null).length === 6, 'six answers');
    await waitFor(
      async () => sample(await scrape(h.server), 'parley_callbacks_pending', { node }) === 0,
      'no callback pending',
    );
    // Nothing is pending and nothing more happens, so the counters stay as they are now.
    const text = await scrape(h.server);
    assert.equal(sample(text, 'parley_callback_deliveries_total', { node, result: 'delivered' }), 3);
    assert.equal(sample(text, 'parley_callback_deliveries_total', { node, result: 'retried' }), 2);
    assert.equal(sample(text, 'parley_callback_deliveries_total', { node, result: 'dropped' }), 1);
    await promtoolCheck(text, t);
  });
});

describe('/metrics protection', () => {
  const harnesses: Harness[] = [];
  after(async () => {
    await Promise.all(harnesses.map((x) => x.close()));
  });
  const start = async (options: Parameters<typeof startHarness>[0]): Promise<Harness> => {
    const x = await startHarness(options);
    harnesses.push(x);
    return x;
  };
  const refusedWithoutMetrics = (res: Answer, status: number): void => {
    assert.equal(res.status, status);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(typeof (JSON.parse(res.body) as { error: unknown }).error, 'string');
    assert.doesNotMatch(res.body, /parley_|process_/, 'no metric in a refusal');
  };

  it('requires the bearer token when http.adminToken is set', async () => {
    const x = await start({ http: { adminToken: TOKEN } });
    const none = await get(x.server, '/metrics');
    refusedWithoutMetrics(none, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    refusedWithoutMetrics(await get(x.server, '/metrics', { authorization: `Bearer ${TOKEN}x` }), 401);
    refusedWithoutMetrics(await get(x.server, '/metrics', { authorization: `Basic ${TOKEN}` }), 401);
    const text = await scrape(x.server, { authorization: `Bearer ${TOKEN}` });
    assert.notEqual(sample(text, 'parley_sessions'), undefined);
    // /healthz stays public.
    assert.equal((await get(x.server, '/healthz')).status, 200);
  });

  it('refuses a client outside http.adminAllow with 403, even with the token', async () => {
    const x = await start({ http: { adminAllow: ['127.0.0.1'], adminToken: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    refusedWithoutMetrics(await get(x.server, '/metrics', auth, '127.0.0.2'), 403);
    assert.equal((await get(x.server, '/metrics', auth, '127.0.0.1')).status, 200);
    // The token is still required from an allowed address.
    refusedWithoutMetrics(await get(x.server, '/metrics', {}, '127.0.0.1'), 401);
  });

  it('by default admits loopback only, and behind a trusted proxy judges the address it forwards for', async () => {
    const x = await start({ limits: { trustedProxies: ['127.0.0.1'] } });
    assert.equal((await get(x.server, '/metrics')).status, 200, 'loopback, no proxy header');
    refusedWithoutMetrics(await get(x.server, '/metrics', { 'x-forwarded-for': '10.1.2.3' }), 403);
    assert.equal((await get(x.server, '/metrics', { 'x-forwarded-for': '127.0.0.9' })).status, 200);
    // A proxy not trusted: its header is not believed, and the peer (loopback) is judged.
    const y = await start({});
    assert.equal((await get(y.server, '/metrics', { 'x-forwarded-for': '10.1.2.3' })).status, 200);
  });

  it('rejects bad protection settings before starting', async () => {
    await assert.rejects(startHarness({ http: { adminToken: 'short' } }), /http\.adminToken/);
    await assert.rejects(startHarness({ http: { adminAllow: ['nowhere'] } }), /http\.adminAllow/);
  });
});

describe('/metrics on three nodes of a cluster', () => {
  let h: Harness;
  const peers: { close(): Promise<void> }[] = [];
  before(async () => {
    // startHarness reads the spread before its first await: this harness alone runs on three nodes.
    const previous = process.env.PARLEY_TEST_SPREAD;
    process.env.PARLEY_TEST_SPREAD = 'memory';
    const starting = startHarness();
    if (previous === undefined) delete process.env.PARLEY_TEST_SPREAD;
    else process.env.PARLEY_TEST_SPREAD = previous;
    h = await starting;
    assert.equal(h.servers.length, 3);
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  it('labels each node’s metrics with its own node ID and counts the media pipes on both ends', async (t) => {
    const pubClient = await h.connect();
    const playClient = await h.connect();
    const origin = h.servers[h.nodeIndexOf(pubClient)]!;
    const remote = h.servers[h.nodeIndexOf(playClient)]!;
    assert.notEqual(origin, remote);
    ok(await pubClient.request('login', loginFrame('mc', 'pub')));
    ok(await playClient.request('login', loginFrame('mc', 'player')));
    const publisher = await publishMedia(pubClient, 'mc', 'mc-cam');
    peers.push(publisher);
    const stop = publisher.pump(5);
    try {
      await playClient.waitEvent('streamUpdate');
      const { player } = await playMedia(playClient, 'mc-cam');
      peers.push(player);
      await waitFor(() => player.received.audio.length > 20, 'audio at the player on the other node');

      const ids = await Promise.all(h.servers.map(nodeIDOf));
      assert.equal(new Set(ids).size, 3, 'three node IDs');
      const texts = await Promise.all(h.servers.map((s) => scrape(s)));
      for (const [i, text] of texts.entries()) {
        const labels = new Set([...text.matchAll(/node="([^"]*)"/g)].map((m) => m[1]));
        assert.deepEqual([...labels], [ids[i]], 'every sample of a node carries its ID, and only it');
        await promtoolCheck(text, t);
      }
      const o = texts[h.servers.indexOf(origin)]!;
      const r = texts[h.servers.indexOf(remote)]!;
      const oid = ids[h.servers.indexOf(origin)]!;
      const rid = ids[h.servers.indexOf(remote)]!;
      assert.equal(sample(o, 'parley_media_transports', { node: oid, kind: 'pipe_out' }), 1);
      assert.equal(sample(r, 'parley_media_transports', { node: rid, kind: 'pipe_in' }), 1);
      assert.equal(sample(r, 'parley_media_transports', { node: rid, kind: 'play' }), 1);
      assert.ok(sample(o, 'parley_rtp_packets_out_total', { node: oid, via: 'pipe' })! > 0);
      assert.ok(sample(r, 'parley_rtp_packets_in_total', { node: rid, via: 'pipe' })! > 0);
      assert.ok(sample(r, 'parley_rtp_packets_out_total', { node: rid, via: 'client' })! > 0);
      assert.equal(sample(o, 'parley_logins_total', { node: oid, code: '0' }), 1);
      assert.equal(sample(r, 'parley_logins_total', { node: rid, code: '0' }), 1);
    } finally {
      stop();
    }
  });
});
