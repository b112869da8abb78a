/** Connecting the backend's connections to an SfuRouter directly (what the engine does over signaling). */
import type {
  ConnectionInfo,
  IceServer,
  IceTransportPolicy,
  MediaConnectionEvents,
  MediaKind,
} from '@parley/engine';
import type { TypedEmitter } from '@parley/protocol';
import {
  type FrameSink,
  type NodeLocalStream,
  type ReceivedFrame,
  SyntheticCameraSource,
  SyntheticMicrophoneSource,
  type WeriftMediaBackend,
  type WeriftPlayConnection,
  type WeriftPublishConnection,
} from '../../../src/media/backend/index.js';
import type { ProducedFrame } from '../../../src/media/backend/TrackSource.js';
import type { LoopbackStun } from './loopbackStun.js';
import type { PublisherTransport, SfuRouter, SubscriberTransport } from './sfu.js';

/** The signaling URL the connections are told: loopback, so they use 127.0.0.1 candidates. */
export const SERVER_URL = 'ws://127.0.0.1:9/ws';

/** Resolves on `event`, rejects on `failed` or after `timeoutMs`. */
export function once<E extends Record<string, unknown[]>, K extends keyof E & string>(
  emitter: TypedEmitter<any>,
  event: K,
  timeoutMs = 10_000,
): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args as E[K]);
    };
    const onFailed = (reason: string): void => {
      cleanup();
      reject(new Error(`failed while waiting for ${event}: ${reason}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (event !== 'failed') emitter.off('failed', onFailed);
    };
    emitter.on(event, onEvent);
    if (event !== 'failed') emitter.on('failed', onFailed);
  });
}

export { until } from '../../support/waitFor.js';

/** TURN servers besides the loopback STUN responder, and the transport policy; default none and `all`. */
export interface IceChoice {
  turn?: IceServer;
  iceTransportPolicy?: IceTransportPolicy;
}

function iceInfo(
  stun: LoopbackStun,
  ice: IceChoice,
): Pick<ConnectionInfo, 'iceServers' | 'iceTransportPolicy'> {
  return {
    iceServers: [{ urls: [stun.url] }, ...(ice.turn ? [ice.turn] : [])],
    iceTransportPolicy: ice.iceTransportPolicy ?? 'all',
  };
}

export async function publish(
  backend: WeriftMediaBackend,
  router: SfuRouter,
  stun: LoopbackStun,
  streamID: string,
  source: NodeLocalStream,
  ice: IceChoice = {},
): Promise<{ conn: WeriftPublishConnection; transport: PublisherTransport }> {
  const conn = backend.createPublishConnection({
    streamID,
    source,
    ...iceInfo(stun, ice),
    serverUrl: SERVER_URL,
  }) as WeriftPublishConnection;
  const connected = once<MediaConnectionEvents, 'connected'>(conn, 'connected');
  const { answerSdp, transport } = await router.publish(streamID, await conn.createOffer());
  await conn.setAnswer(answerSdp);
  await connected;
  return { conn, transport };
}

export async function play(
  backend: WeriftMediaBackend,
  router: SfuRouter,
  stun: LoopbackStun,
  playerKey: string,
  streamID: string,
  output: FrameSink,
  ice: IceChoice = {},
): Promise<{ conn: WeriftPlayConnection; transport: SubscriberTransport }> {
  const conn = backend.createPlayConnection({
    streamID,
    output,
    audio: true,
    video: true,
    ...iceInfo(stun, ice),
    serverUrl: SERVER_URL,
  }) as WeriftPlayConnection;
  const connected = once<MediaConnectionEvents, 'connected'>(conn, 'connected');
  const { offerSdp, transport } = await router.play(playerKey, streamID);
  await transport.setAnswer(await conn.acceptOffer(offerSdp));
  await connected;
  return { conn, transport };
}

/** Every frame a sink delivered, by kind. */
export function recordFrames(sink: FrameSink): Record<MediaKind, ReceivedFrame[]> {
  const frames: Record<MediaKind, ReceivedFrame[]> = { audio: [], video: [] };
  sink.on('frame', (f) => frames[f.kind].push(f));
  return frames;
}

/** A synthetic camera the test can pause: paused, it produces nothing (the source goes quiet). */
export class PausableCamera extends SyntheticCameraSource {
  paused = false;
  protected override produce(): ProducedFrame | null {
    return this.paused ? null : super.produce();
  }
}

/** A synthetic microphone the test can pause. */
export class PausableMicrophone extends SyntheticMicrophoneSource {
  paused = false;
  protected override produce(): ProducedFrame | null {
    return this.paused ? null : super.produce();
  }
}
