/**
 * Synthetic publishers and players on a Parley server, over the raw signaling client and werift directly (as
 * an SDK would, without its encoders): a publisher's tracks send SyntheticTrack packets at the socket
 * (lib/lightSender.ts, with the SRTP keys of werift's DTLS handshake); a player hands the tag of every RTP
 * packet it receives to a Meter receiver (through lib/lightReceiver.ts once connected). Every connection is
 * loopback-only: the only STUN server is the Parley server's own (from `hello`), and werift gathers nothing
 * but 127.0.0.1.
 */
import { type PeerConfig, RTCPeerConnection, type RTCRtpSender, type RtpPacket } from 'werift';
import { benchPeerConfig, connected } from './benchPeer.js';
import { lighten } from './lightReceiver.js';
import { lightenSender } from './lightSender.js';
import type { MeterReceiver } from './meter.js';
import type { Hello, SignalClient } from './signal.js';
import { AUDIO, type Pacer, type SendPacket, SyntheticTrack, VIDEO } from './synthRtp.js';

/** A synthetic publisher on Parley. */
export interface SyntheticPublisher {
  tracks: SyntheticTrack[];
  close(): Promise<void>;
}

/** A synthetic player on Parley. */
export interface SyntheticPlayer {
  close(): Promise<void>;
}

/** werift's configuration for one benchmark connection to Parley: the server's loopback STUN URL, 127.0.0.1 only. */
export function peerConfig(hello: Hello): Partial<PeerConfig> {
  const stun = hello.iceServers.find((u) => /^stun:127\.\d+\.\d+\.\d+:\d+$/.test(u));
  if (stun === undefined) {
    throw new Error(`the server announced no loopback STUN URL (${JSON.stringify(hello.iceServers)})`);
  }
  return benchPeerConfig(stun, '127.0.0.1');
}

/** The send-only tracks of a synthetic publisher's peer connection, before its offer. */
export interface SyntheticSendTracks {
  tracks: SyntheticTrack[];
  senders: RTCRtpSender[];
  /** Per track: its light sender (lib/lightSender.ts), pushed once connected, before the track joins the pacer. */
  lightened: SendPacket[];
}

/**
 * Adds a send-only transceiver per kind to `pc`, each with a synthetic track that sends through its light
 * sender once there is one (`lightened`) and makes a keyframe when the forwarder asks (PLI). The Parley and
 * Janus publishers are made the same way.
 */
export function addSyntheticTracks(
  pc: RTCPeerConnection,
  kinds: readonly ('audio' | 'video')[],
): SyntheticSendTracks {
  const tracks: SyntheticTrack[] = [];
  const senders: RTCRtpSender[] = [];
  const lightened: SendPacket[] = [];
  for (const kind of kinds) {
    const { sender } = pc.addTransceiver(kind, { direction: 'sendonly' });
    const index = tracks.length;
    const track = new SyntheticTrack(kind === 'audio' ? AUDIO : VIDEO, (fields, payload) =>
      lightened[index]?.(fields, payload),
    );
    sender.onPictureLossIndication.subscribe(() => track.requestKeyframe());
    tracks.push(track);
    senders.push(sender);
  }
  return { tracks, senders, lightened };
}

/**
 * Publishes `streamID` from the logged-in `client` with one synthetic track per kind in `kinds`; the tracks
 * join `pacer` once the server says media flows. Resolves with `{ tracks, close }`.
 */
export async function publishSynthetic(
  client: SignalClient,
  {
    roomID,
    streamID,
    kinds,
    pacer,
  }: { roomID: string; streamID: string; kinds: readonly ('audio' | 'video')[]; pacer: Pacer },
): Promise<SyntheticPublisher> {
  const pc = new RTCPeerConnection(peerConfig(client.hello));
  const { tracks, senders, lightened } = addSyntheticTracks(pc, kinds);
  try {
    await pc.setLocalDescription(await pc.createOffer());
    const flowing = client.nextEvent((ev) => ev.type === 'publishMediaFlowing' && ev.streamID === streamID);
    const { sdp } = await client.request('publish', {
      roomID,
      streamID,
      extraInfo: '',
      sdp: pc.localDescription?.sdp,
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: String(sdp) });
    await connected(pc, 'parley');
    senders.forEach((sender, i) => {
      lightened[i] = lightenSender(sender);
    });
    for (const t of tracks) pacer.add(t);
    await flowing;
  } catch (err) {
    for (const t of tracks) pacer.delete(t);
    await pc.close();
    throw err;
  }
  return {
    tracks,
    async close() {
      for (const t of tracks) pacer.delete(t);
      await pc.close();
    },
  };
}

/**
 * Plays `streamID` on the logged-in `client`; every received payload's tag goes to `receiver.record`. Once
 * connected, the light receiver (lib/lightReceiver.ts) takes the RTP over from werift.
 */
export async function playSynthetic(
  client: SignalClient,
  { streamID, receiver }: { streamID: string; receiver: MeterReceiver },
): Promise<SyntheticPlayer> {
  const pc = new RTCPeerConnection(peerConfig(client.hello));
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp: RtpPacket) => receiver.record(rtp.payload)),
  );
  try {
    const { sdp: offer } = await client.request('play', { streamID });
    await pc.setRemoteDescription({ type: 'offer', sdp: String(offer) });
    await pc.setLocalDescription(await pc.createAnswer());
    await client.request('playAnswer', { streamID, sdp: pc.localDescription?.sdp });
    await connected(pc, 'parley');
  } catch (err) {
    await pc.close();
    throw err;
  }
  const release = lighten(pc, receiver);
  return {
    close() {
      release();
      return pc.close();
    },
  };
}
