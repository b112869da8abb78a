/**
 * `parley serve` in the network lab's server host, as an operator would run it: HTTPS and WSS with a
 * throw-away certificate, the media bound to and announced at the server host's address, one app from the
 * environment (no development app), and TURN servers with their shared secret.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Lab from '../../../server/test/support/netlab/index.js';
import { APP } from '../support/fixtures.js';

/** The CLI's build (this compiled file sits in packages/web/dist/test/networks). */
const CLI = fileURLToPath(new URL('../../../../cli/dist/src/bin.js', import.meta.url));

/** The banner's last line: the server listens once it is out. */
const READY_LINE = 'Press Ctrl+C to stop.';

export interface ParleyInLabOptions {
  /** HTTPS port on the server host. */
  port: number;
  certificate: Lab.LabCertificate;
  /** `--turn-url` values, in order. */
  turnUrls: readonly string[];
  turnSecret: string;
}

/** A running `parley serve`; the lab's `close()` ends it. */
export class ParleyInLab {
  private constructor(
    readonly child: ChildProcess,
    readonly output: Lab.JsonLines,
    /** `https://198.18.0.1:port`: the demo page. */
    readonly httpsUrl: string,
    /** The signaling URL for `ZegoExpressEngine`. */
    readonly wsUrl: string,
    private readonly dataDir: string,
  ) {}

  static async start(lab: Lab.NetLab, lab$: typeof Lab, options: ParleyInLabOptions): Promise<ParleyInLab> {
    const address = lab.address('server');
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-networks-'));
    const args = [
      CLI,
      'serve',
      ...['--host', address, '--port', String(options.port)],
      ...['--announce', address, '--media-bind', address],
      ...['--tls-cert', options.certificate.certFile, '--tls-key', options.certificate.keyFile],
      ...options.turnUrls.flatMap((url) => ['--turn-url', url]),
      ...['--turn-secret', options.turnSecret],
      ...['--no-dev-app', '--data-dir', dataDir, '--log-level', 'warn'],
    ];
    const child = lab.spawn('server', process.execPath, args, {
      env: {
        ...process.env,
        PARLEY_APP_ID: String(APP.appID),
        PARLEY_APP_SIGN: APP.appSign,
        PARLEY_SERVER_SECRET: APP.serverSecret,
      },
    });
    const output = new lab$.JsonLines(child, `parley serve on port ${options.port}`);
    try {
      await output.until((line) => line['text'] === READY_LINE, 'its banner');
    } catch (error) {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    const origin = `https://${address}${options.port === 443 ? '' : `:${options.port}`}`;
    const banner = output.lines.map((line) => String(line['text'] ?? '')).join('\n');
    const wsUrl = /WebSocket +(wss:\/\/\S+)/.exec(banner)?.[1];
    if (wsUrl === undefined) throw new Error(`no wss:// address in the banner:\n${banner}`);
    return new ParleyInLab(child, output, origin, wsUrl, dataDir);
  }

  /** What the server logged on stderr so far (warnings and errors). */
  get log(): string {
    return this.output.stderr;
  }

  /** Stops the server at once (its clients are gone or going) and removes its data folder. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = this.output.exited();
      this.child.kill('SIGKILL');
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
