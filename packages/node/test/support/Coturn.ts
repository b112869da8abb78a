/**
 * Debian's coturn (`turnserver`) on loopback for a test, configured as `parley turn-config` would configure it
 * (the server's `turnServerConfig()`: the TURN REST API shared secret, relaying only to the media address) plus
 * what a loopback test needs: loopback peers allowed, free ports, and a relay address of its own in
 * 127.0.0.0/8 (127.0.0.2 by default), so that a test can tell relayed packets from direct ones by their source.
 * Its listeners can be limited to UDP, TCP or TLS, so a relay candidate proves which one carried it. Its files
 * (configuration, pid, SQLite, throw-away certificate) live in a temporary folder, removed on close.
 *
 * Where `turnserver` is not installed the tests that need it skip — unless PARLEY_REQUIRE_ALL_TESTS=1 (CI),
 * where they fail.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { turnServerConfig } from '@parley/server';

const TURNSERVER = '/usr/bin/turnserver';

/**
 * False when coturn is installed (the test runs), else a reason to skip; with PARLEY_REQUIRE_ALL_TESTS=1 always
 * false, so the test runs and fails on the missing server.
 */
export function skipWithoutCoturn(): string | false {
  if (existsSync(TURNSERVER) || process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1') return false;
  return `${TURNSERVER} is not installed (apt-get install coturn)`;
}

export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface CoturnOptions {
  secret: string;
  /** The listeners to open; default all three. */
  transports?: TurnTransport[];
  /** The only address coturn may relay to; default 127.0.0.1 (where the SFU listens). */
  peerIp?: string;
  /** The address coturn relays from; default 127.0.0.2. */
  relayIp?: string;
}

type Watcher = { pattern: RegExp; resolve: (line: string) => void; reject: (err: Error) => void };

/** How long coturn may take to open its listeners. */
const READY_TIMEOUT_MS = 15_000;
const LISTEN_IP = '127.0.0.1';

export class Coturn {
  /** Every line coturn has logged. */
  readonly log: string[] = [];
  private exited: string | null = null;
  private closing: Promise<void> | null = null;
  private readonly watchers = new Set<Watcher>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly tlsPort: number,
    readonly relayIp: string,
    /** The PEM certificate of the TLS listener, which is also the CA a client verifies it with. */
    readonly ca: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.add(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.add(`stderr: ${line}`));
    child.once('error', (err) => this.end(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => this.end(`exited (${signal ?? code})`));
  }

  /** Starts coturn and resolves once the listeners it was asked for are open. */
  static async start(options: CoturnOptions): Promise<Coturn> {
    const dir = await mkdtemp(join(tmpdir(), 'parley-coturn-'));
    try {
      const certFile = join(dir, 'cert.pem');
      const keyFile = join(dir, 'key.pem');
      await promisify(execFile)('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=parley-test-turn',
        '-addext',
        `subjectAltName=IP:${LISTEN_IP}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ]);
      const ca = await readFile(certFile, 'utf8');
      // Another process may take a port between the check and coturn's bind: then coturn says so, and the next
      // try uses other ports.
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        const [port, tlsPort] = [await freePort(), await freePort()];
        const coturn = await Coturn.spawn(dir, options, port, tlsPort, { certFile, keyFile }, ca);
        try {
          await coturn.ready(options.transports ?? ['udp', 'tcp', 'tls']);
          return coturn;
        } catch (err) {
          lastError = err;
          await coturn.stop();
        }
      }
      throw lastError;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private static async spawn(
    dir: string,
    options: CoturnOptions,
    port: number,
    tlsPort: number,
    tls: { certFile: string; keyFile: string },
    ca: string,
  ): Promise<Coturn> {
    const transports = options.transports ?? ['udp', 'tcp', 'tls'];
    const relayIp = options.relayIp ?? '127.0.0.2';
    let config = turnServerConfig({
      secret: options.secret,
      realm: 'parley.test',
      peerIps: [options.peerIp ?? LISTEN_IP],
      listeningIps: [LISTEN_IP],
      relayIps: [relayIp],
      port,
      tlsPort,
      tls,
      log: 'stdout',
    });
    // The media address is a loopback one here; coturn refuses loopback peers unless told.
    config += 'allow-loopback-peers\nno-dtls\n';
    if (!transports.includes('udp')) config += 'no-udp\n';
    if (!transports.includes('tcp')) config += 'no-tcp\n';
    if (!transports.includes('tls')) config += 'no-tls\n';
    const configFile = join(dir, 'turnserver.conf');
    await writeFile(configFile, config);
    const child = spawn(
      TURNSERVER,
      [
        '-c',
        configFile,
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--userdb=${join(dir, 'turndb')}`,
        '--verbose',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Coturn(child, dir, port, tlsPort, relayIp, ca);
  }

  /** The `turn:`/`turns:` URL of one listener. */
  url(transport: TurnTransport): string {
    if (transport === 'udp') return `turn:${LISTEN_IP}:${this.port}?transport=udp`;
    if (transport === 'tcp') return `turn:${LISTEN_IP}:${this.port}?transport=tcp`;
    return `turns:${LISTEN_IP}:${this.tlsPort}?transport=tcp`;
  }

  /** Resolves once coturn logged a line matching `pattern`; rejects after `timeoutMs` or if coturn exits. */
  untilLog(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const line = this.log.find((l) => pattern.test(l));
    if (line !== undefined) return Promise.resolve(line);
    if (this.exited !== null)
      return Promise.reject(new Error(`coturn ${this.exited} before logging ${pattern}`));
    return new Promise((resolve, reject) => {
      const watcher: Watcher = {
        pattern,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        reject(new Error(`coturn logged no ${pattern} in ${timeoutMs} ms:\n${this.log.join('\n')}`));
      }, timeoutMs);
      this.watchers.add(watcher);
    });
  }

  private add(line: string): void {
    this.log.push(line);
    for (const watcher of [...this.watchers]) {
      if (!watcher.pattern.test(line)) continue;
      this.watchers.delete(watcher);
      watcher.resolve(line);
    }
  }

  private end(why: string): void {
    this.exited ??= why;
    for (const watcher of this.watchers)
      watcher.reject(new Error(`coturn ${why} before logging ${watcher.pattern}`));
    this.watchers.clear();
  }

  /** Stops coturn and removes its folder. Idempotent. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.exited !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const stubborn = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(stubborn);
  }

  private async ready(transports: TurnTransport[]): Promise<void> {
    const at = (p: number) => `${LISTEN_IP.replaceAll('.', '\\.')}:${p}\\b`;
    const patterns = [/Total General servers/];
    if (transports.includes('udp')) patterns.push(new RegExp(`UDP listener opened on: ?${at(this.port)}`));
    if (transports.includes('tcp')) patterns.push(new RegExp(`TCP listener opened on ?: ?${at(this.port)}`));
    if (transports.includes('tls'))
      patterns.push(new RegExp(`(TCP|TLS) listener opened on ?: ?${at(this.tlsPort)}`));
    const bindFailed = /[Cc]annot bind|Address already in use/;
    const ready = Promise.all(patterns.map((p) => this.untilLog(p, READY_TIMEOUT_MS)));
    // A listener that cannot bind is logged, and its "opened" line never comes.
    const refused = new Promise<never>((_resolve, reject) => {
      const watcher: Watcher = {
        pattern: bindFailed,
        resolve: (line) => reject(new Error(`coturn could not bind: ${line}`)),
        reject: () => {},
      };
      this.watchers.add(watcher);
      ready.finally(() => this.watchers.delete(watcher)).catch(() => {});
    });
    await Promise.race([ready, refused]);
    assert.equal(this.exited, null, `coturn ${this.exited}`);
  }
}

/** A port free on 127.0.0.1 for both TCP and UDP right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, LISTEN_IP, () => resolve((server.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, LISTEN_IP, () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
}
