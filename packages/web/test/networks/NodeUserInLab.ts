/**
 * The test's side of a Node SDK user running in a lab host (nodeUser.ts): starts the program, reads its JSON
 * lines and asks it for its selected candidate pairs.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type * as Lab from '../../../server/test/support/netlab/index.js';
import type { NodeUserConfig } from './nodeUser.js';
import type { SidePairs } from './selectedPair.js';

const PROGRAM = fileURLToPath(new URL('nodeUser.js', import.meta.url));

export class NodeUserInLab {
  private constructor(
    private readonly child: ChildProcess,
    readonly out: Lab.JsonLines,
  ) {}

  /** Starts the user in `host`; `caFile` holds the certificates its TLS connections trust. */
  static start(
    lab: Lab.NetLab,
    lab$: typeof Lab,
    host: Lab.HostName,
    config: NodeUserConfig,
    caFile: string,
  ): NodeUserInLab {
    const child = lab.spawn(
      host,
      process.execPath,
      ['--enable-source-maps', PROGRAM, JSON.stringify(config)],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      },
    );
    return new NodeUserInLab(child, new lab$.JsonLines(child, `the Node user ${config.userID} in ${host}`));
  }

  /** The first line with `event` (past or future); fails at once on an `error` line. */
  async untilEvent(event: string, timeoutMs?: number): Promise<Record<string, unknown>> {
    const line = await this.out.until(
      (l) => l['event'] === event || l['event'] === 'error',
      `event ${event}`,
      timeoutMs,
    );
    if (line['event'] === 'error') throw new Error(`the Node user failed: ${String(line['message'])}`);
    return line;
  }

  /** The selected pairs of its newest publishing and playing connections. */
  async pairs(): Promise<SidePairs> {
    const seen = this.out.lines.length;
    this.child.stdin!.write('pairs\n');
    const line = await this.out.until(
      (l) => l['event'] === 'pairs' && this.out.lines.indexOf(l) >= seen,
      'its selected pairs',
    );
    const { publish, play } = line as unknown as SidePairs;
    return { publish, play };
  }

  /** What the SDK logged at `level`. */
  logged(level: 'info' | 'warn' | 'error'): string[] {
    return this.out.lines
      .filter((l) => l['event'] === 'log' && l['level'] === level)
      .map((l) => String(l['msg']));
  }

  /** Logs out and waits for the program to end. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = this.out.exited();
    this.child.stdin!.end('stop\n');
    await exited;
  }
}
