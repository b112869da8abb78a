/**
 * One Debian coturn (`turnserver`) process for a test, configured by the server's own `turnServerConfig()` (what
 * `parley turn-config` prints) with the TURN REST API shared secret and a throw-away certificate for its TLS
 * listener. Its configuration, certificate, pid file and SQLite file live in a temporary folder, removed on close.
 * The process is started through an injected function, so the same core runs coturn on this machine's loopback
 * (LoopbackCoturn.ts) or inside a network lab host (netlab/Coturn.ts); those two choose the addresses and ports.
 *
 * @example
 * const coturn = await CoturnProcess.start({ spawn: (command, args) => spawn(command, args, { stdio: 'pipe' }),
 *   secret, realm: 'parley.test', address: '127.0.0.1', relayIp: '127.0.0.2', peerIps: ['127.0.0.1'],
 *   port, tlsPort });
 * await coturn.untilLog(/ALLOCATE processed, success/);
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { turnServerConfig } from '../../../src/index.js';
import { type LabCertificate, makeCertificate } from '../netlab/certificate.js';

/** How coturn is reached: UDP, TCP or TLS. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** Starts `command args` with its stdout and stderr piped: here, in a lab host, or wherever the caller runs it. */
export type SpawnTurnserver = (command: string, args: readonly string[]) => ChildProcess;

/** Options of {@link CoturnProcess.start}. */
export interface CoturnProcessOptions {
  spawn: SpawnTurnserver;
  /** The shared secret (`static-auth-secret`). */
  secret: string;
  realm: string;
  /** The address coturn listens on; its certificate is made for it. */
  address: string;
  /** The address coturn relays from. */
  relayIp: string;
  /** The only addresses coturn may relay to. */
  peerIps: string[];
  /** UDP and TCP port. */
  port: number;
  /** TLS port. */
  tlsPort: number;
  /** The listeners to open; default all three. */
  transports?: readonly TurnTransport[];
  /** Configuration lines written after the server's own. */
  extraConfig?: readonly string[];
}

/** An `iceServers` entry. */
export interface TurnIceServer {
  urls: string;
  username: string;
  credential: string;
}

type Watcher = { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void };

const ALL_TRANSPORTS: readonly TurnTransport[] = ['udp', 'tcp', 'tls'];
/** How long coturn may take to open its listeners. */
const READY_TIMEOUT_MS = 15_000;
/** What coturn logs when a listener cannot take its port; that listener's "opened" line then never comes. */
const BIND_FAILED = /[Cc]annot bind|Address already in use/;

export class CoturnProcess {
  /** Every line coturn has logged so far (stderr lines prefixed with `stderr: `). */
  readonly log: string[] = [];
  readonly address: string;
  readonly relayIp: string;
  readonly port: number;
  readonly tlsPort: number;
  readonly realm: string;
  #watchers = new Set<Watcher>();
  #exited: string | null = null;
  #closed: Promise<void> | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    options: CoturnProcessOptions,
    /** The certificate of the TLS listener; its `cert` is also the CA a client verifies it with. */
    readonly certificate: LabCertificate,
    /** The configuration coturn runs with. */
    readonly config: string,
  ) {
    this.address = options.address;
    this.relayIp = options.relayIp;
    this.port = options.port;
    this.tlsPort = options.tlsPort;
    this.realm = options.realm;
    createInterface({ input: child.stdout! }).on('line', (line) => this.#add(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.#add(`stderr: ${line}`));
    const end = (why: string) => {
      this.#exited ??= why;
      for (const watcher of this.#watchers) watcher.reject(this.#logError(why, watcher.pattern));
      this.#watchers.clear();
    };
    child.once('error', (error) => end(`could not start: ${error.message}`));
    // `close` rather than `exit`: by then every line coturn wrote has been read, so an error shows all of them.
    child.once('close', (code, signal) => end(`exited (${signal ?? code})`));
  }

  /** Starts coturn and resolves once the listeners it was asked for are open; cleans up if they do not open. */
  static async start(options: CoturnProcessOptions): Promise<CoturnProcess> {
    const transports = options.transports ?? ALL_TRANSPORTS;
    const dir = await mkdtemp(join(tmpdir(), 'parley-coturn-'));
    let coturn: CoturnProcess | undefined;
    try {
      const certificate = await makeCertificate(dir, [options.address]);
      const lines = [...(options.extraConfig ?? [])];
      for (const transport of ALL_TRANSPORTS)
        if (!transports.includes(transport)) lines.push(`no-${transport}`);
      const config =
        turnServerConfig({
          secret: options.secret,
          realm: options.realm,
          peerIps: options.peerIps,
          listeningIps: [options.address],
          relayIps: [options.relayIp],
          port: options.port,
          tlsPort: options.tlsPort,
          tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
          log: 'stdout',
        }) + lines.map((line) => `${line}\n`).join('');
      const configFile = join(dir, 'turnserver.conf');
      await writeFile(configFile, config);
      // The pid file and the user database default to system paths (/var/run, /var/lib/turn); keep them here.
      const child = options.spawn('turnserver', [
        '-c',
        configFile,
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--userdb=${join(dir, 'turndb')}`,
        '--verbose',
      ]);
      coturn = new CoturnProcess(child, dir, options, certificate, config);
      await coturn.#ready(transports);
      return coturn;
    } catch (error) {
      if (coturn) await coturn.close();
      else await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The `turn:`/`turns:` URL of one listener. */
  url(transport: TurnTransport): string {
    if (transport === 'udp') return `turn:${this.address}:${this.port}?transport=udp`;
    if (transport === 'tcp') return `turn:${this.address}:${this.port}?transport=tcp`;
    return `turns:${this.address}:${this.tlsPort}?transport=tcp`;
  }

  /** The `iceServers` entry that reaches this coturn over `transport` with the given credentials. */
  iceServer(transport: TurnTransport, username: string, credential: string): TurnIceServer {
    return { urls: this.url(transport), username, credential };
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

  /** Stops coturn (SIGTERM, SIGKILL after 5 s) and removes its folder. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const running = this.child.exitCode === null && this.child.signalCode === null;
      // A process that could not start has neither exit code nor signal, and never emits `exit`.
      if (running && this.#exited === null) {
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

  async #ready(transports: readonly TurnTransport[]): Promise<void> {
    const at = (port: number) => `${this.address.replaceAll('.', '\\.')}:${port}\\b`;
    const patterns = [/Total General servers/];
    if (transports.includes('udp')) patterns.push(new RegExp(`UDP listener opened on: ?${at(this.port)}`));
    if (transports.includes('tcp')) patterns.push(new RegExp(`TCP listener opened on ?: ?${at(this.port)}`));
    if (transports.includes('tls'))
      patterns.push(new RegExp(`(TCP|TLS) listener opened on ?: ?${at(this.tlsPort)}`));
    const ready = Promise.all(patterns.map((pattern) => this.untilLog(pattern, READY_TIMEOUT_MS)));
    // A listener that cannot bind is logged: fail then rather than at the timeout.
    const refused = new Promise<never>((_resolve, reject) => {
      const watcher: Watcher = {
        pattern: BIND_FAILED,
        resolve: (line) => reject(new Error(`coturn could not bind: ${line}\n${this.log.join('\n')}`)),
        reject: () => {},
      };
      this.#watchers.add(watcher);
      ready.finally(() => this.#watchers.delete(watcher)).catch(() => {});
    });
    await Promise.race([ready, refused]);
    if (this.#exited !== null) throw new Error(`coturn ${this.#exited}:\n${this.log.join('\n')}`);
  }

  #logError(why: string, pattern: RegExp): Error {
    return new Error(`coturn ${why} before logging ${pattern}:\n${this.log.join('\n')}`);
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
