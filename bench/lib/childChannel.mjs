/**
 * A child process of the benchmark (the Parley server, the baseline relay) and the line protocol both speak:
 * the child prints one JSON line when ready, then answers each JSON command line on its stdin with one JSON
 * line on its stdout, in order.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpuMs, pinnedCommand, rssBytes } from './procStat.mjs';

/**
 * Starts `node <script> <arg>` pinned to `cpu`. Resolves with the child's ready line (`info`), its pid, and
 * `request(command)` / `cpuMs()` / `rssBytes()` / `stop()`.
 */
export async function startChild({ script, arg = '', cpu = 0, nodeArgs = [] }) {
  const { command, args, pinned } = pinnedCommand(cpu, [process.execPath, ...nodeArgs, script, arg]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  let exited = null;
  const info = await new Promise((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  lines.on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.once('exit', (code) => {
    exited = code;
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited with ${code}`));
  });
  const pid = info.pid;
  return {
    info,
    pid,
    pinned,
    /** Sends one command; resolves with the child's answer. */
    request(cmd) {
      if (exited !== null) return Promise.reject(new Error(`${script} has exited (${exited})`));
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(cmd)}\n`);
      });
    },
    cpuMs: () => cpuMs(pid),
    rssBytes: () => rssBytes(pid),
    stop() {
      if (exited !== null) return Promise.resolve();
      child.kill('SIGTERM');
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
