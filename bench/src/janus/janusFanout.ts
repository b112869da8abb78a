/**
 * The fan-out topology on Janus, the counterpart of topologies' parleyFanout: Janus started by the bench
 * (./JanusServer.ts) with a videoroom of one publisher — a werift peer connection whose synthetic tracks send at
 * the socket (lib/lightSender) — and N subscribers, each a werift peer connection that answers Janus's offer
 * and whose RTP the light receiver reads (lib/lightReceiver), exactly as Parley's players. One Janus session
 * carries the publisher's and every subscriber's plugin handle (one long poll); media goes over one
 * PeerConnection per handle, as with one session per client.
 *
 * Janus counts no packets the bench can read per window (its admin API is off, and its per-handle counters are
 * not per-packet hooks): the row's forwarder count is null, and the packets forwarded are the receivers'
 * distinct packets, the count every side's CPU per packet is divided by.
 */
import { type RTCPeerConnection as PeerConnection, RTCPeerConnection } from 'werift';
import { connected } from '../lib/benchPeer.js';
import { lighten } from '../lib/lightReceiver.js';
import { lightenSender } from '../lib/lightSender.js';
import type { FlowPair } from '../lib/measure.js';
import type { MeterReceiver } from '../lib/meter.js';
import { addSyntheticTracks } from '../lib/parleyMedia.js';
import {
  addAll,
  type Topology,
  type TopologyContext,
  type TopologyTarget,
  withRetry,
} from '../lib/topologies.js';
import { JanusServer } from './JanusServer.js';
import { JanusSession } from './JanusSession.js';
import { janusPeerConfig, startLinkStun } from './janusPeers.js';
import { createRoom, publish, start, subscribe, VIDEOROOM } from './videoroom.js';

const ROOM = 1234;

export interface JanusFanoutOptions extends TopologyContext {
  kinds: ('audio' | 'video')[];
  concurrency: number;
  /** `event_loops` of this Janus: 1, or undefined for Janus's default (a thread per handle). */
  eventLoops: number | undefined;
}

/** One subscriber: its plugin handle, its peer connection and the light receiver's release. */
interface Subscriber {
  handle: number;
  pc: PeerConnection;
  release: () => void;
}

/** One Janus publisher of `kinds` and subscribers added by grow(n). */
export async function janusFanout({
  kinds,
  meter,
  pacer,
  concurrency,
  eventLoops,
}: JanusFanoutOptions): Promise<Topology> {
  const janus = await JanusServer.start({ eventLoops });
  const closers: (() => Promise<void> | void)[] = [() => janus.close()];
  // Everything is closed, last opened first, even when one part fails to close (Janus itself last).
  const closeAll = async (): Promise<void> => {
    let failure: unknown = null;
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
  };
  try {
    const stun = await startLinkStun(janus.benchAddress);
    closers.push(() => stun.close());
    const config = () => janusPeerConfig(stun.url, janus.benchAddress);
    const session = await JanusSession.create(janus.apiUrl);
    closers.push(() => session.close());
    const publisherHandle = await session.attach(VIDEOROOM);
    await createRoom(session, publisherHandle, ROOM);

    const pc = new RTCPeerConnection(config());
    closers.push(() => pc.close());
    const { tracks, senders, lightened } = addSyntheticTracks(pc, kinds);
    await pc.setLocalDescription(await pc.createOffer());
    const { feed, answer } = await publish(session, publisherHandle, ROOM, {
      type: 'offer',
      sdp: pc.localDescription!.sdp,
    });
    await pc.setRemoteDescription(answer);
    await connected(pc, 'janus');
    for (const sender of senders) lightened.push(lightenSender(sender));
    for (const t of tracks) pacer.add(t);
    closers.push(() => {
      for (const t of tracks) pacer.delete(t);
    });

    const subscribers: Subscriber[] = [];
    closers.push(async () => {
      for (const s of subscribers.splice(0)) {
        s.release();
        await s.pc.close();
      }
    });
    const subscribeOne = async (receiver: MeterReceiver): Promise<Subscriber> => {
      const handle = await session.attach(VIDEOROOM);
      const spc = new RTCPeerConnection(config());
      try {
        const offer = await subscribe(session, handle, ROOM, feed);
        spc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => receiver.record(rtp.payload)));
        await spc.setRemoteDescription(offer);
        await spc.setLocalDescription(await spc.createAnswer());
        await start(session, handle, { type: 'answer', sdp: spc.localDescription!.sdp });
        await connected(spc, 'janus');
        return { handle, pc: spc, release: lighten(spc, receiver) };
      } catch (err) {
        await spc.close();
        await session.detach(handle).catch(() => {});
        throw err;
      }
    };

    const target: TopologyTarget = {
      cpuMs: () => janus.cpuMs(),
      rssBytes: () => janus.rssBytes(),
      // Janus's count of packets sent cannot be read per window (see the module's comment).
      stats: async () => ({ sentPackets: null }),
      // Janus's RSS (no GC to run first) and its PeerConnections: the publisher's and one per subscriber.
      memory: async () => ({
        serverRssMiB: Math.round((janus.rssBytes() / 2 ** 20) * 10) / 10,
        mediaTransports: subscribers.length + 1,
      }),
    };
    const pairs: FlowPair[] = [];
    const retries = { count: 0 };
    return {
      target,
      pinned: janus.pinned,
      tracks,
      pairs,
      retries,
      grow: (n, onProgress) =>
        addAll(
          subscribers.length,
          n,
          concurrency,
          async () => {
            const receiver = meter.receiver();
            subscribers.push(await withRetry(retries, () => subscribeOne(receiver)));
            for (const track of tracks) {
              meter.expect(track.sourceId);
              pairs.push({ receiver, sourceId: track.sourceId });
            }
          },
          onProgress,
        ),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
