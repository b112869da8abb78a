/**
 * The control-plane floor: the least a Node process can spend on the control events a fan-out's players cause
 * a server, with no media at all. Run as its own process (by controlFloorLoad.ts, pinned like the server and
 * the relay), it takes what Parley's server takes from each player besides media, at the same rates (the
 * bench side sends them), and does the least each needs:
 * - a signaling heartbeat on a WebSocket (`ws`, Parley's library, no compression): answered with
 *   `{"t":"hb"}`, not parsed;
 * - an ICE consent check (a STUN Binding request, RFC 7675): answered with a datagram of the same size, not
 *   parsed, no MESSAGE-INTEGRITY checked or computed;
 * - a receiver report (SRTCP): read, not decrypted;
 * - a sender report to each player, from a 200-ms tick (as Parley's SenderReports when no media flows), due
 *   at the player's interval: a datagram of an SR's size, not encrypted.
 * Sends leave synchronously, as Parley's do (makeSendsSynchronous), and the process has Parley's
 * garbage-collector setting. Everything Parley does beyond this for those events (parsing, crypto,
 * bookkeeping) is left out, so its CPU is a lower bound of what these events cost a Node server on this
 * machine. Commands on stdin (one JSON line each, one JSON answer line each on the bench's channel):
 *   { op: 'start', reportIntervalMs }  sender reports begin, to every player heard from so far
 *   { op: 'stop' }                     sender reports stop
 *   { op: 'stats' }                    what it took and sent so far ({@link FloorStats})
 */
import { createSocket } from 'node:dgram';
import { WebSocketServer } from 'ws';
import { answerCommands } from './childChannel.js';
import { makeSendsSynchronous, tuneHeapForForwarding } from './serverParts.js';

/** A command on the floor's stdin. */
export type FloorCommand = { op: 'start'; reportIntervalMs: number } | { op: 'stop' } | { op: 'stats' };

/** What the floor has taken and sent. */
export interface FloorStats {
  heartbeats: number;
  checks: number;
  receiverReports: number;
  senderReports: number;
}

/** The floor's answer to a command. */
export type FloorAnswer = { ok: true } | { error: string } | FloorStats;

/**
 * The size of a sender report as Parley sends one: SR (28) + SDES with werift's CNAME, a 36-character UUID (48),
 * + SRTCP's index and tag (14).
 */
export const SENDER_REPORT_BYTES = 90;
/**
 * How often due sender reports are looked for: Parley's SenderReports timer with no media flowing (twice its
 * 100-ms tick; while media flows, forwarded packets run its passes instead).
 */
const TICK_MS = 200;

tuneHeapForForwarding();

const stats: FloorStats = { heartbeats: 0, checks: 0, receiverReports: 0, senderReports: 0 };
/** Each player heard from (by UDP port): when its next sender report is due (performance.now()). */
const players = new Map<number, { due: number }>();
const report = Buffer.alloc(SENDER_REPORT_BYTES, 0x80);
let reportIntervalMs = 0;
let ticker: NodeJS.Timeout | null = null;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', () => {
    stats.heartbeats += 1;
    ws.send('{"t":"hb"}');
  });
  ws.on('error', () => {});
});
await new Promise<void>((resolve) => wss.once('listening', resolve));

const socket = createSocket('udp4');
socket.on('message', (data, from) => {
  if (!players.has(from.port)) players.set(from.port, { due: firstDue() });
  // RFC 7983: 0–3 is STUN; the rest (128–191 here) is the player's SRTCP.
  if (data.length > 0 && data[0]! < 4) {
    stats.checks += 1;
    socket.send(data, from.port, from.address);
  } else {
    stats.receiverReports += 1;
  }
});
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
makeSendsSynchronous(socket);

/** A player's first report: anywhere in one interval, so the players' reports spread out as Parley's do. */
function firstDue(): number {
  return performance.now() + reportIntervalMs * Math.random();
}

function tick(): void {
  const now = performance.now();
  for (const [port, p] of players) {
    if (now < p.due) continue;
    p.due = now + reportIntervalMs * (0.5 + Math.random());
    stats.senderReports += 1;
    socket.send(report, port, '127.0.0.1');
  }
}

function handle(cmd: FloorCommand): FloorAnswer {
  switch (cmd.op) {
    case 'start':
      if (!(cmd.reportIntervalMs > 0))
        return { error: `reportIntervalMs must be > 0: ${cmd.reportIntervalMs}` };
      reportIntervalMs = cmd.reportIntervalMs;
      for (const p of players.values()) p.due = firstDue();
      ticker ??= setInterval(tick, TICK_MS);
      return { ok: true };
    case 'stop':
      if (ticker !== null) clearInterval(ticker);
      ticker = null;
      return { ok: true };
    case 'stats':
      return { ...stats };
    default:
      return { error: `unknown op ${(cmd as { op: unknown }).op}` };
  }
}

const toBench = answerCommands(
  (cmd) => handle(cmd as FloorCommand),
  () => {
    socket.close();
    wss.close();
  },
);
const wsAddress = wss.address();
if (typeof wsAddress !== 'object' || wsAddress === null) throw new Error('the floor has no WebSocket port');
toBench({ pid: process.pid, wsPort: wsAddress.port, udpPort: socket.address().port });
