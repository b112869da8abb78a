/**
 * A werift peer connection in a lab host (the program weriftPeer.js), seen from the test: the test carries
 * the descriptions between two peers, as a signaling server would, and reads what each reports.
 *
 * @example
 * const server = LabPeer.start(lab, 'server', { role: 'answerer', iceServers: [] });
 * const client = LabPeer.start(lab, 'firewalled', { role: 'offerer', iceServers, iceTransportPolicy: 'relay' });
 * await LabPeer.negotiate(client, server);
 * const { pair } = await client.out.untilField('event', 'connected');
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JsonLines } from './JsonLines.js';
import type { NetLab } from './NetLab.js';
import type { HostName } from './topology.js';
import type { TurnAllocateConfig } from './turnAllocate.js';
import type { WeriftPeerConfig } from './weriftPeer.js';

const PROGRAM = fileURLToPath(new URL('./weriftPeer.js', import.meta.url));
const ALLOCATE = fileURLToPath(new URL('./turnAllocate.js', import.meta.url));

/**
 * Asks a TURN server (a `turn:…?transport=tcp` or `turns:` URL) for an allocation from `host`; resolves with
 * `{ event: 'allocated', relayed: [ip, port] }` or `{ event: 'refused', error: '401 Unauthorized' }`.
 */
export async function allocateRelay(lab: NetLab, host: HostName, config: TurnAllocateConfig) {
  const child = lab.spawn(host, process.execPath, [ALLOCATE, JSON.stringify(config)]);
  const out = new JsonLines(child, `TURN allocation from ${host}`);
  const answer = await out.until(
    (line) => line['event'] === 'allocated' || line['event'] === 'refused',
    'an answer',
  );
  await out.exited();
  return answer;
}

export class LabPeer {
  /** Everything the peer reported. */
  readonly out: JsonLines;

  private constructor(
    private readonly child: ChildProcess,
    label: string,
  ) {
    this.out = new JsonLines(child, label);
  }

  /** Starts a peer in `host`. */
  static start(lab: NetLab, host: HostName, config: WeriftPeerConfig): LabPeer {
    const child = lab.spawn(
      host,
      process.execPath,
      ['--enable-source-maps', PROGRAM, JSON.stringify(config)],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    return new LabPeer(child, `werift ${config.role} in ${host}`);
  }

  /** Carries the offer of `offerer` to `answerer` and the answer back. */
  static async negotiate(offerer: LabPeer, answerer: LabPeer): Promise<void> {
    const offer = await offerer.out.untilField('event', 'description');
    answerer.send({ type: 'description', sdp: offer['sdp'] });
    const answer = await answerer.out.untilField('event', 'description');
    offerer.send({ type: 'description', sdp: answer['sdp'] });
  }

  /** Hands the peer a message, e.g. `{ type: 'description', sdp }` from a peer that is not a LabPeer. */
  send(message: { type: 'description'; sdp: unknown }): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Closes the peer connection and ends the program. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.out.exited();
  }
}
