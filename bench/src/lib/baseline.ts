/**
 * The bench side of the baseline: starts the relay (lib/baselineRelay.ts) in its own process pinned to the
 * server's CPU, and makes its endpoints — plain UDP sockets on 127.0.0.1 in the bench process, each with its
 * own SRTP master key (lib/senderSrtp.ts), that send synthetic tracks to the relay and/or receive what it forwards.
 * The same SyntheticTrack and Meter as for Parley, so both are loaded and measured alike.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { RolloverCounter, SRTP_AES128_CM_HMAC_SHA1_80 } from '@parley/rtp';
import { arrivals } from './arrivals.js';
import type { RelayAnswer, RelayCommand, RelayStats } from './baselineRelay.js';
import { startChild } from './childChannel.js';
import type { ForwarderStats } from './measure.js';
import type { MeterReceiver } from './meter.js';
import { compiledLib } from './paths.js';
import { SenderSrtp } from './senderSrtp.js';
import { makeSendsSynchronous } from './serverParts.js';
import { SyntheticTrack, type TrackSpec } from './synthRtp.js';
import { advance, TagDecoder } from './tagDecoder.js';

const RELAY = compiledLib('baselineRelay.js');

/** The relay's process, as the bench drives it. */
export interface BaselineRelay {
  port: number;
  pid: number;
  pinned: boolean;
  cpuMs(): number;
  /** `{ packetsIn, packetsOut, refused }`; `sentPackets` is packetsOut, named as the server's counter is. */
  stats(): Promise<RelayStats & ForwarderStats>;
  request(cmd: RelayCommand): Promise<RelayAnswer>;
  stop(): Promise<void>;
}

/** A synthetic track sent by a baseline endpoint, with the SSRC the relay knows it by. */
export interface BaselineTrack extends SyntheticTrack {
  ssrc: number;
}

/** One endpoint of the relay ({@link openEndpoint}). */
export interface BaselineEndpoint {
  id: number;
  /** A synthetic track sent from this endpoint to the relay (add it to a pacer to start it). */
  addTrack(spec: TrackSpec): Promise<BaselineTrack>;
  /** Asks the relay to forward `track` (made by another endpoint's addTrack) to this endpoint. */
  listenTo(track: BaselineTrack): Promise<RelayAnswer>;
  close(): void;
}

/** Starts the relay on `cpu`. Resolves with `{ port, pid, pinned, cpuMs(), stats(), stop() }`. */
export async function startBaselineRelay({ cpu = 0 }: { cpu?: number } = {}): Promise<BaselineRelay> {
  const child = await startChild({
    script: RELAY,
    cpu,
    // PARLEY_BENCH_RELAY_NODE_ARGS: extra Node flags for the relay's process, as PARLEY_BENCH_SERVER_NODE_ARGS
    // for the server's (to profile both sides of a ratio alike).
    nodeArgs: process.env['PARLEY_BENCH_RELAY_NODE_ARGS']?.split(' ').filter(Boolean) ?? [],
  });
  // The relay's answers are what lib/baselineRelay.ts writes for each command.
  const request = async (cmd: RelayCommand): Promise<RelayAnswer> =>
    (await child.request(cmd)) as RelayAnswer;
  return {
    port: Number(child.info['port']),
    pid: child.pid,
    pinned: child.pinned,
    cpuMs: child.cpuMs,
    async stats() {
      const s = (await request({ op: 'stats' })) as RelayStats;
      return { ...s, sentPackets: s.packetsOut };
    },
    request,
    stop: child.stop,
  };
}

let nextEndpointId = 1;
let nextSsrc = 0x10000;

/**
 * One endpoint of the relay: a UDP socket and a master key. `receiver` (a Meter receiver, or null) gets the
 * tag of every packet the relay forwards to it, read as Parley's players read theirs (lib/tagDecoder.ts),
 * so both sides cost the bench alike. Resolves with `{ id, addTrack(spec), listenTo(track),
 * close() }`.
 */
export async function openEndpoint(
  relay: BaselineRelay,
  { receiver = null }: { receiver?: MeterReceiver | null } = {},
): Promise<BaselineEndpoint> {
  const id = nextEndpointId++;
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const outgoing = new SenderSrtp(SRTP_AES128_CM_HMAC_SHA1_80, key, salt);
  const decoder = new TagDecoder(SRTP_AES128_CM_HMAC_SHA1_80, key, salt);
  /** Per SSRC: its rollover counter. */
  const streams = new Map<number, RolloverCounter>();
  const socket = createSocket('udp4');
  if (receiver !== null) {
    const handle = (packet: Buffer, at: number): void => {
      const ssrc = packet.readUInt32BE(8);
      const seq = packet.readUInt16BE(2);
      let s = streams.get(ssrc);
      if (s === undefined) {
        s = new RolloverCounter();
        streams.set(ssrc, s);
      }
      const { roc } = advance(s, seq);
      if (decoder.read(packet, roc)) receiver.recordTag(decoder.sourceId, decoder.number, decoder.sentAt, at);
    };
    // The time now, the rest once the burst has passed, as for Parley's players (lib/arrivals.ts).
    socket.on('message', (packet) => {
      if (packet.length >= 12) arrivals.push(handle, packet, performance.now());
    });
  }
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // Sends reach the kernel before socket.send returns, as the Parley publishers' do (lib/lightSender.ts).
  if (!makeSendsSynchronous(socket))
    throw new Error("this Node's dgram sockets do not take a synchronous lookup");
  const hex = { key: key.toString('hex'), salt: salt.toString('hex') };
  await relay.request({ op: 'receiver', id, port: socket.address().port, ...hex });
  return {
    id,
    async addTrack(spec) {
      const ssrc = nextSsrc++;
      await relay.request({ op: 'source', ssrc, ...hex });
      const track = new SyntheticTrack(spec, (fields, payload) => {
        const packet = outgoing.protect({ ...fields, ssrc }, payload);
        const handedOffAt = performance.now();
        socket.send(packet, relay.port, '127.0.0.1');
        return handedOffAt;
      });
      return Object.assign(track, { ssrc });
    },
    listenTo(track) {
      return relay.request({ op: 'route', ssrc: track.ssrc, receiver: id });
    },
    close() {
      socket.close();
    },
  };
}
