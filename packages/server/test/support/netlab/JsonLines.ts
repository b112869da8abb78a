/**
 * The JSON lines a lab process prints on stdout, kept in order, with a way to await the first one that
 * matches. Processes in lab hosts cannot share memory with the test, so they talk this way.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

type Line = Record<string, unknown>;
type Waiter = { match: (line: Line) => boolean; resolve: (line: Line) => void; fail: (why: string) => void };

/** How long {@link JsonLines.until} waits by default: far longer than anything in the lab should take. */
const DEFAULT_TIMEOUT_MS = 30_000;

export class JsonLines {
  /** Every line so far, parsed (a line that is not JSON is kept as `{ text }`). */
  readonly lines: Line[] = [];
  /** What the process printed on stderr (for error messages). */
  stderr = '';
  #waiters = new Set<Waiter>();
  #ended: string | null = null;

  /** Reads `child`'s stdout and stderr, which must be pipes (the default of `spawn`). */
  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    if (!child.stdout || !child.stderr) throw new TypeError(`${label}: stdout and stderr must be pipes`);
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: child.stdout }).on('line', (text) => this.#add(text));
    child.once('error', (error) => this.#end(`failed to start: ${error.message}`));
    child.once('close', (code, signal) => this.#end(`exited (${signal ?? code})`));
  }

  /**
   * Resolves with the first line (past or future) for which `match` is true; rejects, with everything the
   * process printed, if it ends first or `timeoutMs` passes.
   */
  until(match: (line: Line) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Line> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    if (this.#ended !== null) return Promise.reject(this.#error(what, this.#ended));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => waiter.fail(`printed nothing matching in ${timeoutMs} ms`), timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (line) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(line);
        },
        fail: (why) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(this.#error(what, why));
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves with the first line that has `key` equal to `value`. */
  untilField(key: string, value: unknown, timeoutMs?: number): Promise<Line> {
    return this.until((line) => line[key] === value, `${key} = ${JSON.stringify(value)}`, timeoutMs);
  }

  /** The process's exit (resolves at once if it already exited). */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  #add(text: string): void {
    let line: Line = { text };
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) line = parsed as Line;
    } catch {
      // Not JSON: kept as text.
    }
    this.lines.push(line);
    for (const waiter of [...this.#waiters]) if (waiter.match(line)) waiter.resolve(line);
  }

  #end(why: string): void {
    if (this.#ended !== null) return;
    this.#ended = why;
    for (const waiter of [...this.#waiters]) waiter.fail(why);
  }

  #error(what: string, why: string): Error {
    const printed = this.lines.map((line) => JSON.stringify(line)).join('\n');
    return new Error(
      `${this.label} ${why} before ${what}\nstdout:\n${printed}\nstderr:\n${this.stderr}`.trimEnd(),
    );
  }
}
