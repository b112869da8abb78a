/**
 * The bench side of the control-plane floor (lib/controlFloor.ts): starts the floor's process pinned to the
 * server's CPU, gives it players, and measures it in windows of its own. Each player is what a Parley player
 * of a fan-out is to the server besides media, at the same rates and on the same clocks as the bench's Parley
 * players: a WebSocket with a heartbeat every `heartbeatIntervalMs` (lib/signal.ts: one interval timer per
 * player), a consent check every 5 s × 0.8–1.2 (werift's `CONSENT_INTERVAL`, a timer per player), and a
 * receiver report at its kind's interval × 0.5–1.5 from one shared 100-ms timer (lib/lightReceiver.ts); the
 * floor sends each a sender report at the same interval (@parley/protocol's REPORT_INTERVAL_MS, Parley's).
 * Between windows the players are silent, so the floor costs the other windows nothing.
 */
import { createSocket, type Socket } from 'node:dgram';
import { REPORT_INTERVAL_MS } from '@parley/protocol';
import { WebSocket } from 'ws';
import { startChild } from './childChannel.js';
import type { FloorAnswer, FloorCommand, FloorStats } from './controlFloor.js';
import { RR_INTERVAL_MS, RR_TICK_MS } from './lightReceiver.js';
import { compiledLib } from './paths.js';
import { makeSendsSynchronous } from './serverParts.js';
import { round } from './stats.js';

const FLOOR = compiledLib('controlFloor.js');

/** werift's consent interval (`CONSENT_INTERVAL`, seconds) and its randomization (0.8–1.2×). */
export const CONSENT_INTERVAL_MS = 5000;
const CONSENT_JITTER = { min: 0.8, max: 1.2 };

/** A Binding request's size as a werift player sends one (USERNAME, PRIORITY, ICE-CONTROLLING, MI, FINGERPRINT). */
const CHECK_BYTES = 100;
/** A receiver report with one block, as SRTCP (RR 32 + trailer 14). */
const RECEIVER_REPORT_BYTES = 46;

/** One measured window of the floor. */
export interface FloorWindow {
  seconds: number;
  cpuMs: number;
  /** The CPU of the process measured beside the floor (Parley's server at rest), if one was given. */
  besideCpuMs: number | null;
  /** What the floor took and sent during the window. */
  events: FloorStats;
}

/** The events one window of `players` should see per second, from the rates above. */
export function expectedPerSecond(
  players: number,
  kind: 'audio' | 'video',
  heartbeatIntervalMs: number,
  consentIntervalMs = CONSENT_INTERVAL_MS,
): FloorStats {
  const reports = (players * 1000) / REPORT_INTERVAL_MS[kind];
  return {
    heartbeats: (players * 1000) / heartbeatIntervalMs,
    checks: (players * 1000) / consentIntervalMs,
    receiverReports: (players * 1000) / RR_INTERVAL_MS[kind],
    senderReports: reports,
  };
}

/** The floor's process and its players. */
export interface ControlFloor {
  pinned: boolean;
  /** Players so far. */
  readonly players: number;
  /** Adds players up to `n` (silent until a window). */
  grow(n: number): Promise<void>;
  /**
   * Runs one window: the players' events for `warmupSeconds`, then `seconds` measured; silent again after.
   * `beside` reads the CPU (ms) of a process to measure over the same seconds (Parley's server at rest).
   */
  measure(seconds: number, warmupSeconds: number, beside?: () => number): Promise<FloorWindow>;
  /** What the floor has taken and sent so far. */
  stats(): Promise<FloorStats>;
  close(): Promise<void>;
}

interface FloorPlayer {
  ws: WebSocket;
  socket: Socket;
  ack: number;
  /** The player's timers while a window runs. */
  timers: NodeJS.Timeout[];
  reportDue: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the floor on `cpu` for players of `kind` whose server asks for a heartbeat every `heartbeatIntervalMs`. */
export async function startControlFloor({
  kind,
  heartbeatIntervalMs,
  consentIntervalMs = CONSENT_INTERVAL_MS,
  cpu = 0,
}: {
  kind: 'audio' | 'video';
  heartbeatIntervalMs: number;
  /** werift's unless a test wants its checks sooner. */
  consentIntervalMs?: number;
  cpu?: number;
}): Promise<ControlFloor> {
  const child = await startChild({ script: FLOOR, cpu });
  const request = async (cmd: FloorCommand): Promise<FloorStats | { ok: true }> => {
    const answer = (await child.request(cmd)) as FloorAnswer;
    if ('error' in answer) throw new Error(`control floor: ${answer.error}`);
    return answer;
  };
  const stats = async (): Promise<FloorStats> => (await request({ op: 'stats' })) as FloorStats;
  const wsPort = Number(child.info['wsPort']);
  const udpPort = Number(child.info['udpPort']);
  const players: FloorPlayer[] = [];
  const check = Buffer.alloc(CHECK_BYTES);
  check[1] = 0x01; // a Binding request
  const receiverReport = Buffer.alloc(RECEIVER_REPORT_BYTES);
  receiverReport[0] = 0x81;
  receiverReport[1] = 201;
  const reportIntervalMs = RR_INTERVAL_MS[kind];
  let reportTimer: NodeJS.Timeout | null = null;

  const addPlayer = async (): Promise<void> => {
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    const player: FloorPlayer = { ws, socket: createSocket('udp4'), ack: 0, timers: [], reportDue: 0 };
    // The server's answers, read as Parley's players read theirs (a heartbeat answer is parsed).
    ws.on('message', (data: Buffer) => {
      JSON.parse(data.toString());
    });
    player.socket.on('message', () => {});
    await new Promise<void>((resolve) => player.socket.bind(0, '127.0.0.1', resolve));
    makeSendsSynchronous(player.socket);
    // The floor learns the player's port from its first datagram, to send its sender reports to.
    player.socket.send(receiverReport, udpPort, '127.0.0.1');
    players.push(player);
  };

  const start = (): void => {
    const now = performance.now();
    for (const p of players) {
      const sendHeartbeat = (): void => {
        if (p.ws.readyState === WebSocket.OPEN) p.ws.send(`{"t":"hb","ack":${p.ack}}`);
      };
      // The heartbeat: a fixed interval from a random phase (the players connected at different times).
      p.timers.push(
        setTimeout(() => {
          sendHeartbeat();
          p.timers.push(setInterval(sendHeartbeat, heartbeatIntervalMs));
        }, heartbeatIntervalMs * Math.random()),
      );
      const consent = (): void => {
        p.socket.send(check, udpPort, '127.0.0.1');
        p.timers.push(setTimeout(consent, consentIntervalMs * jitter(CONSENT_JITTER)));
      };
      p.timers.push(setTimeout(consent, consentIntervalMs * Math.random()));
      p.reportDue = now + reportIntervalMs * Math.random();
    }
    reportTimer = setInterval(() => {
      const at = performance.now();
      for (const p of players) {
        if (at < p.reportDue) continue;
        p.reportDue = at + reportIntervalMs * jitter({ min: 0.5, max: 1.5 });
        p.socket.send(receiverReport, udpPort, '127.0.0.1');
      }
    }, RR_TICK_MS);
  };

  const stop = (): void => {
    if (reportTimer !== null) clearInterval(reportTimer);
    reportTimer = null;
    for (const p of players) {
      for (const t of p.timers) clearTimeout(t);
      p.timers = [];
    }
  };

  return {
    pinned: child.pinned,
    get players() {
      return players.length;
    },
    async grow(n) {
      while (players.length < n) await addPlayer();
    },
    stats,
    async measure(seconds, warmupSeconds, beside) {
      await request({ op: 'start', reportIntervalMs: REPORT_INTERVAL_MS[kind] });
      start();
      try {
        await sleep(warmupSeconds * 1000);
        const before = await stats();
        const cpuBefore = child.cpuMs();
        const besideBefore = beside?.() ?? null;
        const t0 = performance.now();
        await sleep(seconds * 1000);
        const cpuMs = child.cpuMs() - cpuBefore;
        const besideCpuMs = beside && besideBefore !== null ? beside() - besideBefore : null;
        const elapsed = (performance.now() - t0) / 1000;
        const after = await stats();
        return {
          seconds: elapsed,
          cpuMs,
          besideCpuMs,
          events: {
            heartbeats: after.heartbeats - before.heartbeats,
            checks: after.checks - before.checks,
            receiverReports: after.receiverReports - before.receiverReports,
            senderReports: after.senderReports - before.senderReports,
          },
        };
      } finally {
        stop();
        await request({ op: 'stop' });
      }
    },
    async close() {
      stop();
      for (const p of players) {
        p.ws.terminate();
        p.socket.close();
      }
      players.length = 0;
      await child.stop();
    },
  };
}

function jitter({ min, max }: { min: number; max: number }): number {
  return min + Math.random() * (max - min);
}

/** The floor at one load step: its windows together. */
export interface FloorRow {
  players: number;
  seconds: number;
  cpuPercent: number;
  /** Parley's server at rest in the same windows (its players connected, its publisher paused), if measured. */
  besideCpuPercent: number | null;
  /** What it took and sent per second, and what the players' rates make that (the check that the load ran). */
  perSecond: FloorStats;
  expectedPerSecond: FloorStats;
}

/** One step's windows as a row (null if none was measured). */
export function mergeFloorWindows(
  windows: readonly FloorWindow[],
  players: number,
  kind: 'audio' | 'video',
  heartbeatIntervalMs: number,
): FloorRow | null {
  const seconds = windows.reduce((s, w) => s + w.seconds, 0);
  if (windows.length === 0 || seconds <= 0) return null;
  const cpuMs = windows.reduce((s, w) => s + w.cpuMs, 0);
  const beside = windows.every((w) => w.besideCpuMs !== null)
    ? windows.reduce((s, w) => s + (w.besideCpuMs ?? 0), 0)
    : null;
  const rate = (key: keyof FloorStats): number =>
    Math.round(windows.reduce((s, w) => s + w.events[key], 0) / seconds);
  return {
    players,
    seconds,
    cpuPercent: round((cpuMs / (seconds * 1000)) * 100, 2) ?? 0,
    besideCpuPercent: beside === null ? null : round((beside / (seconds * 1000)) * 100, 2),
    perSecond: {
      heartbeats: rate('heartbeats'),
      checks: rate('checks'),
      receiverReports: rate('receiverReports'),
      senderReports: rate('senderReports'),
    },
    expectedPerSecond: expectedPerSecond(players, kind, heartbeatIntervalMs),
  };
}

/** The event types of a row that came at less than `fraction` of their expected rate (the load fell short). */
export function shortEvents(row: FloorRow, fraction = 0.8): (keyof FloorStats)[] {
  return (Object.keys(row.expectedPerSecond) as (keyof FloorStats)[]).filter(
    (k) => row.perSecond[k] < fraction * row.expectedPerSecond[k],
  );
}
