/**
 * `parley serve --workers` as a process: the workers answer through one port, a worker killed with SIGKILL is
 * replaced, SIGTERM stops everything (the private Redis too) with 0, a primary killed with SIGKILL takes its
 * workers and its Redis with it, and `--redis` needs no redis-server of its own. The cluster's shared state is
 * the server's part and tested there; here each worker is checked as a node on its own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTestCa } from '@parley/server/test/testCa';
import { REDIS_DIR, REDIS_FILES } from '../../src/workers/PrivateRedis.js';
import { redisAnswers } from '../../src/workers/redisSocket.js';
import { SECRET, SIGN, tempDir, writeJson } from '../support/cli.js';
import { startTestRedis } from '../support/redisServer.js';
import { bannerWorkers, cleanEnv, isAlive, startServeProcess } from '../support/serveProcess.js';

const APP = { appID: 42, appSign: SIGN, serverSecret: SECRET };

/** GET /healthz on a connection of its own, so that each request may reach another worker. */
function health(httpUrl: string, ca?: Buffer): Promise<{ connections: number }> {
  const request = httpUrl.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(`${httpUrl}/healthz`, { agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => {
        body += text;
      });
      res.on('end', () => {
        assert.equal(res.statusCode, 200, body);
        resolve(JSON.parse(body) as { connections: number });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the signaling WebSocket (the upgrade only) and keeps its socket: the worker it reached counts it. */
function openSignalingSocket(httpUrl: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${httpUrl}/ws`, {
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('parley-test-key!').toString('base64'),
      },
    });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Resolves once the peer has closed `socket`. The socket is read to its end: a paused one (as an upgraded one is
 * handed over) would never see the end, and would not even keep the test's event loop alive meanwhile.
 */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
    socket.resume();
  });
}

async function config(dir: string): Promise<string> {
  return writeJson(dir, 'parley.json', { port: 0, logLevel: 'info', apps: [APP] });
}

describe('parley serve --workers', () => {
  it('runs two nodes behind one port on a private Redis, replaces a killed worker and stops cleanly', async () => {
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    const serve = await startServeProcess(
      ['--config', await config(dir), '--workers', '2', '--data-dir', dataDir],
      {
        cwd: dir,
      },
    );
    const redisDir = join(dataDir, REDIS_DIR);
    const socketPath = join(redisDir, REDIS_FILES.socket);
    assert.ok(serve.banner.includes(`\n  Cluster     unix:${socketPath}   (private Redis`), serve.banner);
    const port = new URL(serve.httpUrl).port;
    assert.match(serve.banner, new RegExp(`\\n  Workers     2 node processes sharing port ${port}:\\n`));
    const workers = bannerWorkers(serve.banner);
    assert.deepEqual(
      workers.map((w) => w.index),
      [0, 1],
    );
    assert.equal(new Set(workers.map((w) => w.nodeID)).size, 2);
    for (const w of workers) assert.ok(isAlive(w.pid), `worker ${w.index}`);

    // The private Redis runs on its socket in the data directory.
    const redisPid = Number(await readFile(join(redisDir, REDIS_FILES.pid), 'utf8'));
    assert.ok(isAlive(redisPid));
    assert.ok(await redisAnswers(socketPath));

    // Both workers answer through the one port: the one holding the signaling socket counts it, the other not.
    const signaling = await openSignalingSocket(serve.httpUrl);
    const seen = new Set<number>();
    for (let i = 0; i < 10 && seen.size < 2; i++) seen.add((await health(serve.httpUrl)).connections);
    assert.deepEqual([...seen].sort(), [0, 1]);
    signaling.destroy();

    // A worker killed with SIGKILL is replaced: same index, a new process and node ID.
    const [victim] = workers;
    process.kill(victim!.pid, 'SIGKILL');
    await serve.untilErr(
      new RegExp(`Worker 0 \\(pid ${victim!.pid}\\) was ended by SIGKILL; starting a new one`),
    );
    const back = await serve.untilErr(/Worker 0 started again: pid (\d+), node (\S+)\n/);
    const newPid = Number(back[1]);
    assert.notEqual(newPid, victim!.pid);
    assert.notEqual(back[2], victim!.nodeID);
    assert.ok(isAlive(newPid));
    assert.ok(isAlive(workers[1]!.pid), 'the other worker ran on');
    for (let i = 0; i < 2; i++) await health(serve.httpUrl);
    assert.ok(isAlive(redisPid), 'the same Redis');

    // SIGTERM: every worker drains, then Redis stops, and the primary exits with 0.
    serve.signal('SIGTERM');
    assert.deepEqual(await serve.exited, { code: 0, signal: null });
    assert.match(serve.stderr(), /Stopping Parley: telling the clients to reconnect \(SIGTERM again/);
    for (const pid of [newPid, workers[1]!.pid, redisPid]) assert.ok(!isAlive(pid), `pid ${pid} is gone`);
    assert.ok(!existsSync(socketPath), 'the socket was removed');
    await assert.rejects(health(serve.httpUrl), 'nothing listens any more');
  });

  it('takes its workers and its Redis along when the primary is killed with SIGKILL; the next start goes on', async () => {
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    const args = ['--config', await config(dir), '--workers', '1', '--data-dir', dataDir];
    const serve = await startServeProcess(args, { cwd: dir });
    const socketPath = join(dataDir, REDIS_DIR, REDIS_FILES.socket);
    const redisClient = connect(socketPath);
    await new Promise((resolve) => redisClient.once('connect', resolve));
    const workerClient = await openSignalingSocket(serve.httpUrl);
    serve.signal('SIGKILL');
    // Redis closes its clients as it shuts down, and a worker's sockets close as it exits.
    await Promise.all([closed(redisClient), closed(workerClient)]);

    const next = await startServeProcess(args, { cwd: dir });
    assert.ok(await redisAnswers(socketPath));
    await health(next.httpUrl);
    next.signal('SIGINT');
    assert.deepEqual(await next.exited, { code: 0, signal: null });
  });

  it('uses the Redis of --redis and needs no redis-server then; the port serves HTTPS too', async () => {
    const dir = await tempDir();
    const external = await startTestRedis(join(dir, 'external.sock'));
    const ca = await makeTestCa();
    const dataDir = join(dir, 'data');
    const args = ['--config', await config(dir), '--workers', '1', '--data-dir', dataDir];
    args.push('--redis', `unix:${external.socketPath}`, '--tls-cert', ca.certFile, '--tls-key', ca.keyFile);
    const serve = await startServeProcess(args, { cwd: dir, env: cleanEnv({ PATH: join(dir, 'no-bin') }) });
    assert.ok(
      serve.banner.includes(
        `\n  Cluster     unix:${external.socketPath}   (every node with this Redis is one Parley)\n`,
      ),
      serve.banner,
    );
    assert.match(serve.httpUrl, /^https:/);
    await health(serve.httpUrl, ca.ca);
    assert.ok(!existsSync(join(dataDir, REDIS_DIR)), 'no private Redis');
    serve.signal('SIGTERM');
    assert.deepEqual(await serve.exited, { code: 0, signal: null });
    assert.ok(await redisAnswers(external.socketPath), 'the external Redis is left alone');
    await external.stop();
    await ca.remove();
  });
});
