/**
 * `parley serve` in a child process — the real command line, started, killed and restarted as an operator would
 * do it — with its apps and settings in a config file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '@parley/server';
import { APP } from './fixtures.js';

/** The child's script: `parley serve` loaded ahead and run when told (see serveWhenTold.ts). */
const CHILD = fileURLToPath(new URL('./serveWhenTold.js', import.meta.url));
/** The last line of the banner: the server is listening. */
const READY = 'Press Ctrl+C to stop.';

/** Settings of the config file besides the app (keys of the server's settings schema). */
export type ServeSettings = Omit<ServerOptions, 'apps' | 'web' | 'logger' | 'consumerOptions'>;

/** How the process ended: its exit code, or the signal that killed it. */
export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ParleyProcess {
  private stdoutText = '';
  private stderrText = '';
  /** Resolves when the process has ended. */
  readonly exited: Promise<ProcessEnd>;
  private listening: Promise<void> | null = null;
  private address: URL | null = null;

  private constructor(
    private readonly child: ChildProcess,
    dir: string,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.stdoutText += text;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderrText += text;
    });
    this.exited = new Promise<ProcessEnd>((resolve) => {
      child.once('exit', (code, signal) => {
        void rm(dir, { recursive: true, force: true });
        resolve({ code, signal });
      });
    });
  }

  /**
   * Starts a child with `parley serve --port PORT` for {@link APP} (0 = any free port) loaded but not yet
   * running; resolves once it is loaded. {@link listen} starts the server. The config file lives in a temporary
   * directory removed when the process ends.
   */
  static async prepare(
    port: number,
    settings: ServeSettings = {},
    args: string[] = [],
  ): Promise<ParleyProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'parley-serve-'));
    const config = join(dir, 'parley.json');
    await writeFile(config, JSON.stringify({ apps: [APP], logLevel: 'warn', ...settings }));
    // A hermetic environment: no PARLEY_* of the machine running the tests.
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (!key.startsWith('PARLEY_') && value !== undefined) env[key] = value;
    const serveArgs = [
      'serve',
      '--config',
      config,
      '--port',
      String(port),
      '--no-dev-app',
      '--data-dir',
      dir,
      ...args,
    ];
    const child = spawn(process.execPath, [CHILD, ...serveArgs], {
      cwd: dir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const proc = new ParleyProcess(child, dir);
    await proc.untilStdout('loaded\n');
    return proc;
  }

  /** {@link prepare} and {@link listen}. */
  static async start(port: number, settings: ServeSettings = {}): Promise<ParleyProcess> {
    const proc = await ParleyProcess.prepare(port, settings);
    await proc.listen();
    return proc;
  }

  /** Runs `parley serve`; resolves once it printed its banner (it listens). */
  listen(): Promise<void> {
    this.listening ??= (async () => {
      this.child.stdin!.end('go\n');
      const banner = await this.untilStdout(READY);
      const url = /WebSocket +(ws:\/\/\S+)/.exec(banner)?.[1];
      if (url === undefined) throw new Error(`no WebSocket address in the banner: ${banner}`);
      this.address = new URL(url);
    })();
    return this.listening;
  }

  /** The signaling URL from the banner, e.g. `ws://127.0.0.1:41234/ws`. */
  get url(): string {
    if (!this.address) throw new Error('the server is not listening yet');
    return this.address.href;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** What the process wrote to stdout so far (its banner). */
  get stdout(): string {
    return this.stdoutText;
  }

  /** What the process wrote to stderr so far (its log lines and messages). */
  get stderr(): string {
    return this.stderrText;
  }

  /** Sends `signal`; await `exited` for the end. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the process if it still runs and waits for its end. */
  async stop(): Promise<ProcessEnd> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Resolves with the whole stdout once it contains `text`; rejects if the process ends first. */
  private untilStdout(text: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const check = (): void => {
        if (!this.stdoutText.includes(text)) return;
        this.child.stdout!.off('data', check);
        resolve(this.stdoutText);
      };
      this.child.stdout!.on('data', check);
      void this.exited.then((end) =>
        reject(
          new Error(
            `parley serve ended (${end.code ?? end.signal}) before "${text.trim()}": ${this.stderrText}`,
          ),
        ),
      );
      check();
    });
  }
}
