/**
 * Runs a Parley server in its own process (pinned to one CPU with taskset when available) for benchmarks,
 * and reads its CPU time from /proc, so the figures are the server's own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const APP = {
  appID: 1234567,
  appSign: 'ab'.repeat(32),
  serverSecret: '0123456789abcdef0123456789abcdef',
};

const MAIN = fileURLToPath(new URL('./serverMain.mjs', import.meta.url));

/** Starts the server on `cpu`; resolves with its URLs, pid, a CPU-time reader and stop(). */
export async function startServerProcess({ cpu = 0, options = {} } = {}) {
  const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
  const args = [process.execPath, MAIN, JSON.stringify({ apps: [APP], ...options })];
  const child = hasTaskset
    ? spawn('taskset', ['-c', String(cpu), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const clockTicks = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
  return {
    ...info,
    pinned: hasTaskset,
    /** The server process's user+system CPU time, in milliseconds. */
    cpuMs() {
      const stat = readFileSync(`/proc/${info.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
    },
    async health() {
      return (await fetch(`${info.httpUrl}/healthz`)).json();
    },
    stop() {
      child.kill('SIGTERM');
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
