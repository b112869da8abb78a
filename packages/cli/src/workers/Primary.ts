/**
 * The primary of `parley serve --workers N`: forks the N worker processes with `node:cluster` (the primary holds
 * the one HTTP/WebSocket port and hands each new connection to a worker in turn), gives each its settings,
 * starts a worker again with the same index (same media ports, a new node ID) when it dies, guarded against
 * crash loops, and drains or stops them all when asked.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '@parley/server/config';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { CrashLoopGuard } from './CrashLoopGuard.js';
import { type FromWorker, isFromWorker, type ToWorker } from './messages.js';
import { type NodePlan, nodeSettings } from './WorkerSettings.js';

/** The worker's entry, next to this file once compiled. */
const WORKER_MAIN = fileURLToPath(new URL('./workerMain.js', import.meta.url));

/** What the primary knows of a running worker. */
export interface WorkerInfo {
  index: number;
  pid: number;
  nodeID: string;
  /** Its settings as a node (its media ports, its node ID). */
  settings: ResolvedConfig;
}

/** What a worker said once it listened. */
export type ReadyReport = Extract<FromWorker, { type: 'ready' }>;

/** Options of a {@link Primary}. */
export interface PrimaryOptions {
  /** Each worker's settings, by index (workerSettings.ts). */
  settings: readonly ResolvedConfig[];
  /** The shared port, the Redis and the node ID prefix (without the index). */
  plan: Omit<NodePlan, 'index'>;
  /** Where the workers' output and the primary's messages go. */
  io: Pick<CliIo, 'stdout' | 'stderr'>;
  guard?: CrashLoopGuard;
}

interface Slot {
  index: number;
  worker: Worker | null;
  info: WorkerInfo | null;
  readyAt: number | null;
  /** The last `failed` message of the current process. */
  failure: string | null;
  restart: NodeJS.Timeout | null;
  /** Resolves when the current process has exited. */
  exited: Promise<void>;
}

/** The workers of one `parley serve --workers`. */
export class Primary {
  private readonly slots: Slot[];
  private readonly guard: CrashLoopGuard;
  private started = false;
  private stopping = false;
  private giveUp!: (error: CliError) => void;
  /** Resolves with the reason when a worker keeps dying and the primary gives up. */
  readonly gaveUp = new Promise<CliError>((resolve) => {
    this.giveUp = resolve;
  });

  constructor(private readonly options: PrimaryOptions) {
    this.guard = options.guard ?? new CrashLoopGuard();
    this.slots = options.settings.map((_, index) => ({
      index,
      worker: null,
      info: null,
      readyAt: null,
      failure: null,
      restart: null,
      exited: Promise.resolve(),
    }));
  }

  /**
   * Forks every worker and resolves once each listens, with what they are and what the first one reported.
   * @throws CliError when a worker cannot start (the others are stopped by then).
   */
  async start(): Promise<{ workers: WorkerInfo[]; ready: ReadyReport }> {
    cluster.setupPrimary({ exec: WORKER_MAIN, args: [], silent: true, serialization: 'advanced' });
    const reports = await Promise.allSettled(this.slots.map((slot) => this.fork(slot)));
    const failed = reports.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await this.stop();
      throw failed.reason;
    }
    this.started = true;
    const first = reports[0] as PromiseFulfilledResult<ReadyReport>;
    return { workers: this.workers(), ready: first.value };
  }

  /** The running workers, by index. */
  workers(): WorkerInfo[] {
    return this.slots.flatMap((slot) => (slot.info === null ? [] : [slot.info]));
  }

  /** Tells every worker to drain and waits until all have exited. No worker is started again afterwards. */
  drain(): Promise<void> {
    return this.end({ type: 'drain' });
  }

  /** Tells every worker to close at once and waits until all have exited. */
  stop(): Promise<void> {
    return this.end({ type: 'stop' });
  }

  private async end(message: ToWorker): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restart !== null) clearTimeout(slot.restart);
      slot.restart = null;
      if (slot.worker !== null) send(slot.worker, message);
    }
    await Promise.all(this.slots.map((slot) => slot.exited));
  }

  /** Starts the process of `slot`; resolves once it listens, rejects if it exits first. */
  private fork(slot: Slot): Promise<ReadyReport> {
    const { index } = slot;
    const settings = nodeSettings(this.options.settings[index]!, { ...this.options.plan, index });
    const worker = cluster.fork();
    const pid = worker.process.pid!;
    slot.worker = worker;
    slot.readyAt = null;
    slot.failure = null;
    slot.info = null;
    forwardLines(worker.process.stdout, this.options.io.stdout);
    forwardLines(worker.process.stderr, this.options.io.stderr);
    // Sending to a worker that just died fails; its exit is handled below.
    worker.on('error', () => {});
    let exited!: () => void;
    slot.exited = new Promise((resolve) => {
      exited = resolve;
    });
    return new Promise<ReadyReport>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.type === 'waiting') {
          send(worker, this.stopping ? { type: 'stop' } : { type: 'start', index, settings });
          return;
        }
        if (message.type === 'failed') {
          slot.failure = message.message;
          return;
        }
        slot.readyAt = Date.now();
        slot.info = { index, pid, nodeID: settings.cluster.nodeID!, settings };
        if (this.stopping) send(worker, { type: 'stop' });
        else if (this.started)
          this.say(`Worker ${index} started again: pid ${pid}, node ${slot.info.nodeID}`);
        resolve(message);
      });
      worker.once('exit', (code, signal) => {
        slot.worker = null;
        slot.info = null;
        exited();
        const how = signal !== null ? `was ended by ${signal}` : `exited with code ${code}`;
        const why = slot.failure === null ? '' : `: ${slot.failure}`;
        reject(CliError.failure(`worker ${index} (pid ${pid}) could not start: it ${how}${why}`));
        if (this.stopping || !this.started) return;
        this.restartLater(slot, pid, how, why);
      });
    });
  }

  /** After an unexpected exit: starts the worker again after the guard's delay, or gives up. */
  private restartLater(slot: Slot, pid: number, how: string, why: string): void {
    const uptime = slot.readyAt === null ? null : Date.now() - slot.readyAt;
    const delay = this.guard.died(slot.index, uptime);
    if (delay === null) {
      const seconds = this.guard.minUptimeMs / 1000;
      this.giveUp(
        CliError.failure(
          `worker ${slot.index} died ${this.guard.limit + 1} times in a row within ${seconds} s of its start ` +
            `(the last one, pid ${pid}, ${how}${why}); giving up`,
        ),
      );
      return;
    }
    const when = delay === 0 ? 'now' : delay < 1000 ? `in ${delay} ms` : `in ${(delay / 1000).toFixed(1)} s`;
    this.say(`Worker ${slot.index} (pid ${pid}) ${how}${why}; starting a new one ${when}`);
    slot.restart = setTimeout(() => {
      slot.restart = null;
      // A start that fails ends in an exit, which comes back here; the rejection itself says nothing new.
      this.fork(slot).catch(() => {});
    }, delay);
  }

  private say(line: string): void {
    this.options.io.stderr(line + '\n');
  }
}

function send(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message);
}

/** Passes a worker's output on whole lines at a time, so the lines of two workers never mix. */
function forwardLines(stream: NodeJS.ReadableStream | null, write: (text: string) => void): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const end = (rest + text).lastIndexOf('\n');
    if (end === -1) {
      rest += text;
      return;
    }
    const all = rest + text;
    write(all.slice(0, end + 1));
    rest = all.slice(end + 1);
  });
  stream.on('end', () => {
    if (rest !== '') write(rest + '\n');
  });
}
