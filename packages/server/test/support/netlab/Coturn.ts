/**
 * Debian's coturn (`turnserver`) in the lab's server host, configured by the server's own `turnServerConfig()`
 * (what `parley turn-config` prints) with the TURN REST API shared secret: UDP and TCP on one port, TLS on
 * another with a throw-away certificate, relaying only to the given peer addresses. Its configuration, pid file
 * and SQLite file live in a temporary folder, removed on close.
 *
 * @example
 * const coturn = await Coturn.start(lab, { secret });
 * const { username, credential } = turnCredentials(secret, 'alice', 600);
 * const iceServers = [coturn.iceServer('tls', username, credential)];
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { turnServerConfig } from '../../../src/index.js';
import { type LabCertificate, makeCertificate } from './certificate.js';
import type { NetLab } from './NetLab.js';

/** Options of {@link Coturn.start}. */
export interface CoturnOptions {
  /** The shared secret (`static-auth-secret`). */
  secret: string;
  /** Default `parley.test`. */
  realm?: string;
  /** UDP and TCP port. Default 3478. */
  port?: number;
  /** TLS port. Default 5349. */
  tlsPort?: number;
  /** The addresses coturn may relay to. Default the server host's address (where Parley's media listens). */
  peerIps?: string[];
}

/** How coturn is reached: UDP, TCP or TLS. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** An `iceServers` entry. */
export interface TurnIceServer {
  urls: string;
  username: string;
  credential: string;
}

type Watcher = { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void };

/** How long coturn may take to open its listeners. */
const READY_TIMEOUT_MS = 15_000;

export class Coturn {
  /** Every line coturn has logged so far. */
  readonly log: string[] = [];
  #watchers = new Set<Watcher>();
  #exited: string | null = null;
  #closed: Promise<void> | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** The address coturn listens and relays on. */
    readonly address: string,
    readonly port: number,
    readonly tlsPort: number,
    readonly realm: string,
    /** The certificate of the TLS port; its `cert` is the CA that verifies it. */
    readonly certificate: LabCertificate,
    /** The configuration coturn runs with. */
    readonly config: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.#add(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.#add(`stderr: ${line}`));
    const end = (why: string) => {
      this.#exited ??= why;
      for (const watcher of this.#watchers) watcher.reject(this.#logError(why, watcher.pattern));
      this.#watchers.clear();
    };
    child.once('error', (error) => end(`could not start: ${error.message}`));
    child.once('close', (code, signal) => end(`exited (${signal ?? code})`));
  }

  /** Starts coturn in the lab's server host and resolves once its UDP, TCP and TLS listeners are open. */
  static async start(lab: NetLab, options: CoturnOptions): Promise<Coturn> {
    const address = lab.address('server');
    const port = options.port ?? 3478;
    const tlsPort = options.tlsPort ?? 5349;
    const realm = options.realm ?? 'parley.test';
    const dir = await mkdtemp(join(tmpdir(), 'parley-coturn-'));
    let coturn: Coturn | undefined;
    try {
      const certificate = await makeCertificate(dir, [address]);
      const config = turnServerConfig({
        secret: options.secret,
        realm,
        peerIps: options.peerIps ?? [address],
        listeningIps: [address],
        relayIps: [address],
        port,
        tlsPort,
        tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
        log: 'stdout',
      });
      const configFile = join(dir, 'turnserver.conf');
      await writeFile(configFile, config);
      // The pid file and the user database default to system paths (/var/run, /var/lib/turn); keep them here.
      const child = lab.spawn(
        'server',
        'turnserver',
        [
          '-c',
          configFile,
          `--pidfile=${join(dir, 'turnserver.pid')}`,
          `--userdb=${join(dir, 'turndb')}`,
          '--verbose',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      coturn = new Coturn(child, dir, address, port, tlsPort, realm, certificate, config);
      await coturn.#ready();
      return coturn;
    } catch (error) {
      if (coturn) await coturn.close();
      else await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The `iceServers` entry that reaches this coturn over `transport` with the given credentials. */
  iceServer(transport: TurnTransport, username: string, credential: string): TurnIceServer {
    const urls =
      transport === 'udp'
        ? `turn:${this.address}:${this.port}?transport=udp`
        : transport === 'tcp'
          ? `turn:${this.address}:${this.port}?transport=tcp`
          : `turns:${this.address}:${this.tlsPort}?transport=tcp`;
    return { urls, username, credential };
  }

  /**
   * Resolves with the first log line (past or future) that matches `pattern`; rejects, with the log, if coturn
   * exits first or `timeoutMs` passes.
   */
  untilLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const found = this.log.find((line) => pattern.test(line));
    if (found !== undefined) return Promise.resolve(found);
    if (this.#exited !== null) return Promise.reject(this.#logError(this.#exited, pattern));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#watchers.delete(watcher);
        reject(this.#logError(`logged nothing matching in ${timeoutMs} ms`, pattern));
      }, timeoutMs);
      const watcher: Watcher = {
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#watchers.add(watcher);
    });
  }

  #logError(why: string, pattern: RegExp): Error {
    return new Error(`coturn ${why} before logging ${pattern}:\n${this.log.join('\n')}`);
  }

  /** Stops coturn (SIGTERM) and removes its folder. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        const exited = new Promise((resolve) => this.child.once('exit', resolve));
        this.child.kill('SIGTERM');
        const stubborn = setTimeout(() => this.child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(stubborn);
      }
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.#closed;
  }

  async #ready(): Promise<void> {
    const at = (p: number) => `${this.address.replaceAll('.', '\\.')}:${p}\\b`;
    await Promise.all(
      [
        new RegExp(`UDP listener opened on: ?${at(this.port)}`),
        new RegExp(`TCP listener opened on ?: ?${at(this.port)}`),
        new RegExp(`TCP listener opened on ?: ?${at(this.tlsPort)}`),
        /Total General servers/,
      ].map((pattern) => this.untilLog(pattern, READY_TIMEOUT_MS)),
    );
  }

  #add(line: string): void {
    this.log.push(line);
    for (const watcher of [...this.#watchers])
      if (watcher.pattern.test(line)) {
        this.#watchers.delete(watcher);
        watcher.resolve(line);
      }
  }
}
