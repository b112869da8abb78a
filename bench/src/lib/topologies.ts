/**
 * Who sends to whom in the media benchmarks, built on Parley or on the baseline relay, grown step by step:
 * - fan-out: one publisher (synthetic tracks of `kinds`) and N players, each its own signaling socket and
 *   peer connection (Parley) or its own UDP socket and key (baseline);
 * - meeting: N users, each publishing audio + video and playing every other user (Parley: one signaling
 *   socket per user, one peer connection per published or played stream; baseline: one UDP socket per user).
 * Each topology gives the measuring code the same things: `target` (the forwarder: cpuMs(), stats()), `tracks`
 * (every source), `pairs` (Meter receiver × source that must flow), `grow(n)`,
 * `close()` and, for Parley, `retries.count` (connections that failed once and were tried again).
 */

import {
  type BaselineEndpoint,
  type BaselineRelay,
  type BaselineTrack,
  openEndpoint,
  startBaselineRelay,
} from './baseline.js';
import type { FlowPair, ForwarderStats, ForwarderTarget } from './measure.js';
import type { Meter, MeterReceiver } from './meter.js';
import {
  playSynthetic,
  publishSynthetic,
  type SyntheticPlayer,
  type SyntheticPublisher,
} from './parleyMedia.js';
import { type BenchServerOptions, type ServerProcess, startServerProcess } from './serverProcess.js';
import { login, type SignalClient } from './signal.js';
import { AUDIO, type Pacer, type SyntheticTrack, VIDEO } from './synthRtp.js';

const SPECS = { audio: AUDIO, video: VIDEO };

/** A track kind of the synthetic media. */
export type MediaKind = keyof typeof SPECS;

/**
 * The forwarder of a topology, as the media run reads it: CPU and its own counters (every peer), and for a
 * server that has them, memory, /healthz and a full GC (lib/mediaBench.ts reads them when present).
 */
export type TopologyTarget = ForwarderTarget<ForwarderStats> &
  Partial<Pick<ServerProcess, 'rssBytes' | 'health' | 'gc'>> & {
    /**
     * A forwarder without /healthz or a GC to run (Janus): its RSS and media transports, read after a window.
     */
    memory?(): Promise<{ serverRssMiB: number; mediaTransports: number }>;
  };

/**
 * One peer's topology — Parley, the baseline relay, or any other forwarder the bench compares — as the media
 * run (lib/mediaBench.ts) drives it: grown step by step, measured, closed. A new peer is a function that
 * returns one of these (see parleyFanout / baselineFanout).
 */
export interface Topology {
  target: TopologyTarget;
  /** The forwarder runs pinned to CPU 0 and the bench to CPU 1. */
  pinned: boolean;
  /** Every source. */
  tracks: SyntheticTrack[];
  /** Meter receiver × source that must flow before a window. */
  pairs: FlowPair[];
  /** Connections that failed once and were tried again (Parley). */
  retries?: { count: number };
  /** The heartbeat interval its server asks its players for (Parley), for the control-plane floor. */
  heartbeatIntervalMs?: number;
  grow(n: number, onProgress?: ((done: number) => void) | null): Promise<void>;
  close(): Promise<void>;
}

/** What every topology gets from the media run. */
export interface TopologyContext {
  meter: Meter;
  pacer: Pacer;
}

/**
 * `attempt()`, again if it fails (a connection can time out on a busy machine), `attempts` times in all; the
 * last failure is thrown. Every retry is counted in `retries.count` (reported with the results).
 */
export async function withRetry<T>(
  retries: { count: number },
  attempt: () => Promise<T>,
  attempts = 2,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= attempts) throw err;
      retries.count += 1;
    }
  }
}

/** Runs `add(i)` for i = from..to-1 with at most `concurrency` at once, reporting each completion. */
export async function addAll(
  from: number,
  to: number,
  concurrency: number,
  add: (i: number) => Promise<unknown>,
  onProgress?: ((done: number) => void) | null,
): Promise<void> {
  let next = from;
  let done = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      await add(i);
      done += 1;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/** Server options for `transports` peer connections at most, every packet to players counted. */
function serverOptions(transports: number, playersPerStream: number): BenchServerOptions {
  return {
    countSent: true,
    signaling: { framesPerSecond: 1000 },
    media: { maxTransports: transports + 20, maxPlayersPerStream: playersPerStream + 10 },
  };
}

/** One Parley publisher of `kinds` and players added by grow(n). */
export async function parleyFanout({
  kinds,
  maxPlayers,
  meter,
  pacer,
  concurrency,
}: TopologyContext & {
  kinds: readonly MediaKind[];
  maxPlayers: number;
  concurrency: number;
}): Promise<Topology> {
  const server = await startServerProcess({ cpu: 0, options: serverOptions(maxPlayers + 1, maxPlayers) });
  const roomID = 'fanout';
  const publisher = await login(server.url, roomID, 'publisher');
  const pub = await publishSynthetic(publisher, { roomID, streamID: 'fanout', kinds, pacer });
  const players: { client: SignalClient; play: SyntheticPlayer }[] = [];
  const retries = { count: 0 };
  const pairs: FlowPair[] = [];
  const grow = (n: number, onProgress?: ((done: number) => void) | null): Promise<void> =>
    addAll(
      players.length,
      n,
      concurrency,
      async (i) => {
        const receiver = meter.receiver();
        const { client, play } = await withRetry(retries, async () => {
          const client = await login(server.url, roomID, `player${i}`);
          try {
            return { client, play: await playSynthetic(client, { streamID: 'fanout', receiver }) };
          } catch (err) {
            client.close();
            throw err;
          }
        });
        players.push({ client, play });
        for (const track of pub.tracks) {
          meter.expect(track.sourceId);
          pairs.push({ receiver, sourceId: track.sourceId });
        }
      },
      onProgress,
    );
  const close = async (): Promise<void> => {
    await pub.close();
    for (const p of players) {
      await p.play.close();
      p.client.close();
    }
    publisher.close();
    await server.stop();
  };
  return {
    target: server,
    pinned: server.pinned,
    tracks: pub.tracks,
    pairs,
    retries,
    heartbeatIntervalMs: publisher.hello.heartbeatIntervalMs,
    grow,
    close,
  };
}

/** One baseline sender of `kinds` and receivers added by grow(n). */
export async function baselineFanout({
  kinds,
  meter,
  pacer,
}: TopologyContext & { kinds: readonly MediaKind[] }): Promise<Topology> {
  const relay = await startBaselineRelay({ cpu: 0 });
  const sender = await openEndpoint(relay);
  const tracks: BaselineTrack[] = [];
  for (const kind of kinds) tracks.push(await sender.addTrack(SPECS[kind]));
  for (const track of tracks) pacer.add(track);
  const endpoints: BaselineEndpoint[] = [];
  const pairs: FlowPair[] = [];
  const grow = (n: number, onProgress?: ((done: number) => void) | null): Promise<void> =>
    addAll(
      endpoints.length,
      n,
      1,
      async () => {
        const receiver = meter.receiver();
        const endpoint = await openEndpoint(relay, { receiver });
        endpoints.push(endpoint);
        for (const track of tracks) {
          await endpoint.listenTo(track);
          meter.expect(track.sourceId);
          pairs.push({ receiver, sourceId: track.sourceId });
        }
      },
      onProgress,
    );
  const close = async (): Promise<void> => {
    for (const track of tracks) pacer.delete(track);
    for (const e of [sender, ...endpoints]) e.close();
    await relay.stop();
  };
  return { target: relay, pinned: relay.pinned, tracks, pairs, grow, close };
}

/** A Parley meeting: users added by grow(n), each publishing audio + video and playing all others. */
/** A user of a Parley meeting. */
interface MeetingUser {
  client: SignalClient;
  streamID: string;
  pub: SyntheticPublisher;
  tracks: SyntheticTrack[];
  receiver: MeterReceiver;
  plays: SyntheticPlayer[];
}

export async function parleyMeeting({
  maxUsers,
  meter,
  pacer,
  concurrency,
}: TopologyContext & { maxUsers: number; concurrency: number }): Promise<Topology> {
  const server = await startServerProcess({ cpu: 0, options: serverOptions(maxUsers * maxUsers, maxUsers) });
  const roomID = 'meeting';
  const users: MeetingUser[] = [];
  const tracks: SyntheticTrack[] = [];
  const pairs: FlowPair[] = [];
  const retries = { count: 0 };
  const play = async (listener: MeetingUser, speaker: MeetingUser): Promise<void> => {
    const p = await withRetry(retries, () =>
      playSynthetic(listener.client, { streamID: speaker.streamID, receiver: listener.receiver }),
    );
    listener.plays.push(p);
    for (const track of speaker.tracks) {
      meter.expect(track.sourceId);
      pairs.push({ receiver: listener.receiver, sourceId: track.sourceId });
    }
  };
  const grow = async (n: number, onProgress?: ((done: number) => void) | null): Promise<void> => {
    while (users.length < n) {
      const i = users.length;
      const client = await login(server.url, roomID, `user${i}`);
      const streamID = `user${i}-cam`;
      const pub = await publishSynthetic(client, { roomID, streamID, kinds: ['audio', 'video'], pacer });
      const user: MeetingUser = {
        client,
        streamID,
        pub,
        tracks: pub.tracks,
        receiver: meter.receiver(),
        plays: [],
      };
      const others = [...users];
      users.push(user);
      tracks.push(...pub.tracks);
      const jobs = others.flatMap((o) => [() => play(user, o), () => play(o, user)]);
      await addAll(0, jobs.length, concurrency, async (j) => jobs[j]?.(), null);
      onProgress?.(users.length);
    }
  };
  const close = async (): Promise<void> => {
    for (const u of users) {
      await u.pub.close();
      for (const p of u.plays) await p.close();
      u.client.close();
    }
    await server.stop();
  };
  return { target: server, pinned: server.pinned, tracks, pairs, retries, grow, close };
}

/** The same meeting on the baseline relay: one UDP socket per user, sending two tracks, receiving the rest. */
/** A user of a baseline meeting. */
interface BaselineUser {
  endpoint: BaselineEndpoint;
  tracks: BaselineTrack[];
  receiver: MeterReceiver;
}

export async function baselineMeeting({ meter, pacer }: TopologyContext): Promise<Topology> {
  const relay: BaselineRelay = await startBaselineRelay({ cpu: 0 });
  const users: BaselineUser[] = [];
  const allTracks: SyntheticTrack[] = [];
  const pairs: FlowPair[] = [];
  const listen = async (listener: BaselineUser, speaker: BaselineUser): Promise<void> => {
    for (const track of speaker.tracks) {
      await listener.endpoint.listenTo(track);
      meter.expect(track.sourceId);
      pairs.push({ receiver: listener.receiver, sourceId: track.sourceId });
    }
  };
  const grow = async (n: number, onProgress?: ((done: number) => void) | null): Promise<void> => {
    while (users.length < n) {
      const receiver = meter.receiver();
      const endpoint = await openEndpoint(relay, { receiver });
      const tracks = [await endpoint.addTrack(AUDIO), await endpoint.addTrack(VIDEO)];
      const user: BaselineUser = { endpoint, tracks, receiver };
      for (const other of users) {
        await listen(user, other);
        await listen(other, user);
      }
      users.push(user);
      allTracks.push(...tracks);
      for (const track of tracks) pacer.add(track);
      onProgress?.(users.length);
    }
  };
  const close = async (): Promise<void> => {
    for (const track of allTracks) pacer.delete(track);
    for (const u of users) u.endpoint.close();
    await relay.stop();
  };
  return { target: relay, pinned: relay.pinned, tracks: allTracks, pairs, grow, close };
}
