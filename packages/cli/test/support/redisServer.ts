/**
 * A redis-server of the test's own on a unix socket: the external Redis of `--redis`, and the left-overs of a
 * crashed run that the private Redis must deal with.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** A redis-server the test started. */
export interface TestRedis {
  process: ChildProcess;
  socketPath: string;
  exited: Promise<void>;
  /** Stops it (SIGTERM) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on `socketPath` (pid file beside it when `pidFile` is given); resolves once it is ready. */
export async function startTestRedis(socketPath: string, pidFile?: string): Promise<TestRedis> {
  const args = [
    '--port',
    '0',
    '--unixsocket',
    socketPath,
    '--save',
    '',
    '--appendonly',
    'no',
    '--logfile',
    '',
  ];
  if (pidFile !== undefined) args.push('--pidfile', pidFile);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (/ready to accept connections/i.test(out)) resolve();
    });
    void exited.then(() => reject(new Error(`redis-server ended: ${out}`)));
  });
  return {
    process: child,
    socketPath,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
