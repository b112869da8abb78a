/**
 * Janus for the bench: Debian's `janus` in a network namespace of its own (./benchLink.ts), pinned to CPU 0
 * as the Parley server is, with a configuration the bench writes (./janusConfig.ts). Its CPU time and memory
 * are read from /proc, so the figures are Janus's own (every thread of the process).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BenchLink, isolationProblem } from './benchLink.js';
import { JANUS_HTTP_PORT, JANUS_LIB, writeJanusConfig } from './janusConfig.js';

const JANUS = '/usr/bin/janus';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** Why Janus cannot run in this bench, or null when it can (installed, and the bench is isolated). */
export function janusUnavailable(): string | null {
  if (!existsSync(JANUS)) return `${JANUS} is not installed (Debian package janus)`;
  for (const lib of ['plugins/libjanus_videoroom.so', 'transports/libjanus_http.so']) {
    if (!existsSync(join(JANUS_LIB, lib))) return `${join(JANUS_LIB, lib)} is missing`;
  }
  if (spawnSync('taskset', ['-V']).status !== 0) return 'taskset is missing: Janus could not be pinned';
  return isolationProblem();
}

/** CPU time (utime + stime of every thread) of `pid`, ms. */
function processCpuMs(pid: number, ticks: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface JanusServerOptions {
  /** `event_loops` (see JanusConfigOptions): 1, or undefined for Janus's default. */
  eventLoops: number | undefined;
  /** The CPU Janus is pinned to. */
  cpu?: number;
}

/**
 * @example
 * const janus = await JanusServer.start({ eventLoops: 1 });
 * await fetch(`${janus.apiUrl}/info`);
 * await janus.close();
 */
export class JanusServer {
  private exited: Promise<void>;
  private exitCode: number | string | null = null;
  private readonly ticks: number;

  private constructor(
    private readonly child: ChildProcess,
    private readonly link: BenchLink,
    private readonly configDir: string,
    private readonly log: string[],
    /** Janus's process id (ip netns exec, setpriv and taskset each exec the next: the child is janus). */
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve();
      }),
    );
    this.ticks = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
  }

  /** The base URL of Janus's HTTP API, on its end of the link. */
  get apiUrl(): string {
    return `http://${this.link.janusAddress}:${JANUS_HTTP_PORT}/janus`;
  }

  /** The bench's address on Janus's link: where the bench's peers and their STUN responder bind. */
  get benchAddress(): string {
    return this.link.benchAddress;
  }
  /** Janus runs pinned to one CPU (janusUnavailable refuses to start without taskset). */
  readonly pinned = true;

  /** Starts Janus; resolves once its HTTP API answers. Throws when it cannot (see janusUnavailable). */
  static async start({ eventLoops, cpu = 0 }: JanusServerOptions): Promise<JanusServer> {
    const reason = janusUnavailable();
    if (reason !== null) throw new Error(`Janus cannot run: ${reason}`);
    const link = await BenchLink.open();
    const configDir = writeJanusConfig({ address: link.janusAddress, eventLoops });
    // setpriv: the kernel kills Janus if the bench dies without stopping it, so no Janus outlives the bench.
    const args = link.exec([
      'setpriv',
      '--pdeathsig',
      'KILL',
      'taskset',
      '-c',
      String(cpu),
      JANUS,
      '-C',
      join(configDir, 'janus.jcfg'),
      '-F',
      configDir,
      '--disable-colors',
    ]);
    const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    const keep = (chunk: Buffer): void => {
      log.push(...chunk.toString().split('\n').filter(Boolean));
      if (log.length > 50) log.splice(0, log.length - 50);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (child.pid === undefined) {
      link.close();
      rmSync(configDir, { recursive: true, force: true });
      throw new Error('janus could not be spawned');
    }
    const server = new JanusServer(child, link, configDir, log, child.pid);
    try {
      await server.ready();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  /** Waits until the HTTP API answers `info`, or Janus exits, or the timeout passes. */
  private async ready(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (this.exitCode !== null) throw new Error(`janus exited (${this.exitCode}): ${this.tail()}`);
      try {
        const res = await fetch(`${this.apiUrl}/info`, { signal: AbortSignal.timeout(1000) });
        const info = (await res.json()) as { janus?: string };
        if (info.janus === 'server_info') break;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    if (performance.now() >= deadline) throw new Error(`janus did not answer in time: ${this.tail()}`);
    const comm = readFileSync(`/proc/${this.pid}/comm`, 'utf8').trim();
    if (comm !== 'janus')
      throw new Error(`process ${this.pid} is ${comm}, not janus: its CPU would not be Janus's`);
  }

  /** The last lines Janus printed. */
  tail(): string {
    return this.log.slice(-5).join(' | ');
  }

  /** Janus's CPU time so far (all threads), ms. */
  cpuMs(): number {
    return processCpuMs(this.pid, this.ticks);
  }

  /** Janus's resident memory, bytes. */
  rssBytes(): number {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    if (!m) throw new Error(`no VmRSS for janus (${this.pid})`);
    return Number(m[1]) * 1024;
  }

  /** Stops Janus (SIGTERM, SIGKILL after 5 s), then removes its namespace, link and configuration. */
  async close(): Promise<void> {
    if (this.exitCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.link.close();
    rmSync(this.configDir, { recursive: true, force: true });
  }
}
