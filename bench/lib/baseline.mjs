/**
 * The bench side of the baseline: starts the relay (lib/baselineRelay.mjs) in its own process pinned to the
 * server's CPU, and makes its endpoints — plain UDP sockets on 127.0.0.1 in the bench process, each with its
 * own SRTP master key (lib/srtp.mjs), that send synthetic tracks to the relay and/or receive what it forwards.
 * The same SyntheticTrack and Meter as for Parley, so both are loaded and measured alike.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { makeSendsSynchronous } from '../../packages/server/dist/src/sfu/syncUdpSend.js';
import { startChild } from './childChannel.mjs';
import { buildRtp, PROFILE_AES_CM, SrtpContext } from './srtp.mjs';
import { SyntheticTrack } from './synthRtp.mjs';
import { advance, TagDecoder } from './tagDecoder.mjs';

const RELAY = fileURLToPath(new URL('./baselineRelay.mjs', import.meta.url));

/** Starts the relay on `cpu`. Resolves with `{ port, pid, pinned, cpuMs(), stats(), stop() }`. */
export async function startBaselineRelay({ cpu = 0 } = {}) {
  const child = await startChild({ script: RELAY, cpu });
  return {
    port: child.info.port,
    pid: child.pid,
    pinned: child.pinned,
    cpuMs: child.cpuMs,
    /** `{ packetsIn, packetsOut, refused }`; `sentPackets` is packetsOut, named as the server's counter is. */
    async stats() {
      const s = await child.request({ op: 'stats' });
      return { ...s, sentPackets: s.packetsOut };
    },
    request: child.request,
    stop: child.stop,
  };
}

let nextEndpointId = 1;
let nextSsrc = 0x10000;

/**
 * One endpoint of the relay: a UDP socket and a master key. `receiver` (a Meter receiver, or null) gets the
 * tag of every packet the relay forwards to it, read as Parley's players read theirs (lib/tagDecoder.mjs),
 * so both sides cost the bench alike. Resolves with `{ id, addTrack(spec), listenTo(track),
 * close() }`.
 */
export async function openEndpoint(relay, { receiver = null } = {}) {
  const id = nextEndpointId++;
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const outgoing = new SrtpContext(key, salt);
  const decoder = new TagDecoder(PROFILE_AES_CM, key, salt);
  /** Per SSRC: `{ roc, highest }`. */
  const streams = new Map();
  const socket = createSocket('udp4');
  socket.on('message', (packet) => {
    const at = performance.now();
    if (!receiver || packet.length < 12) return;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let s = streams.get(ssrc);
    if (s === undefined) {
      s = { roc: 0, highest: seq };
      streams.set(ssrc, s);
    }
    const { roc } = advance(s, seq);
    if (decoder.read(packet, roc)) receiver.recordTag(decoder.sourceId, decoder.number, decoder.sentAt, at);
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // Sends reach the kernel before socket.send returns, as the Parley publishers' do (lib/lightSender.mjs).
  if (!makeSendsSynchronous(socket))
    throw new Error("this Node's dgram sockets do not take a synchronous lookup");
  const hex = { key: key.toString('hex'), salt: salt.toString('hex') };
  await relay.request({ op: 'receiver', id, port: socket.address().port, ...hex });
  return {
    id,
    /** A synthetic track sent from this endpoint to the relay (add it to a pacer to start it). */
    async addTrack(spec) {
      const ssrc = nextSsrc++;
      await relay.request({ op: 'source', ssrc, ...hex });
      const track = new SyntheticTrack(spec, (fields, payload) => {
        const packet = outgoing.protect(buildRtp({ ...fields, ssrc }, payload));
        const handedOffAt = performance.now();
        socket.send(packet, relay.port, '127.0.0.1');
        return handedOffAt;
      });
      track.ssrc = ssrc;
      return track;
    },
    /** Asks the relay to forward `track` (made by another endpoint's addTrack) to this endpoint. */
    listenTo(track) {
      return relay.request({ op: 'route', ssrc: track.ssrc, receiver: id });
    },
    close() {
      socket.close();
    },
  };
}
