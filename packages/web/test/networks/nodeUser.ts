/**
 * A Node SDK user, run as its own program inside a network lab host (`lab.spawn(host, process.execPath,
 * [this file, JSON config])`): it logs in over WSS, publishes the synthetic camera and microphone, plays the
 * stream it is told to wait for, and reports on stdout, one JSON line each:
 *
 * - `{event: 'log', level, msg, fields}`: what the SDK logged at info level and above;
 * - `{event: 'loggedIn'}`, `{event: 'publisher' | 'player', state, errorCode}`;
 * - `{event: 'firstFrame', kind, ms}`: time from `startPlayingStream` to the first complete frame of `kind`;
 * - `{event: 'received', videoFrames, audioFrames, width, height}`: once enough of both have arrived;
 * - `{event: 'pairs', publish, play}`: the selected candidate pairs, when asked with the line `pairs` on stdin;
 * - `{event: 'error', message}` for anything that failed.
 *
 * The line `stop` on stdin logs out and exits. The server's certificate is trusted through
 * NODE_EXTRA_CA_CERTS, as an operator's would be.
 */
import { createInterface } from 'node:readline';
import { type EngineLogger, type FrameSink, WeriftMediaBackend, ZegoExpressEngine } from '@parley/node';
import { type SelectedPair, selectedPairOf } from './selectedPair.js';

/** What the program is told (argv[2], JSON). */
export interface NodeUserConfig {
  wsUrl: string;
  appID: number;
  roomID: string;
  userID: string;
  token: string;
  /** The stream it publishes. */
  streamID: string;
  /** The stream it plays once it appears in the room. */
  playStreamID: string;
}

/** Frames of each kind that count as media flowing. */
export const ENOUGH = { videoFrames: 20, audioFrames: 50 };

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const logger: EngineLogger = {
  debug: () => {},
  info: (msg, fields) => print({ event: 'log', level: 'info', msg, fields }),
  warn: (msg, fields) => print({ event: 'log', level: 'warn', msg, fields }),
  error: (msg, fields) => print({ event: 'log', level: 'error', msg, fields }),
};

type Connection =
  | ReturnType<WeriftMediaBackend['createPublishConnection']>
  | ReturnType<WeriftMediaBackend['createPlayConnection']>;

/** The werift backend, keeping every connection it makes so that their selected pairs can be read. */
class RecordingBackend extends WeriftMediaBackend {
  readonly made: { kind: 'publish' | 'play'; connection: Connection }[] = [];

  override createPublishConnection(...args: Parameters<WeriftMediaBackend['createPublishConnection']>) {
    const connection = super.createPublishConnection(...args);
    this.made.push({ kind: 'publish', connection });
    return connection;
  }

  override createPlayConnection(...args: Parameters<WeriftMediaBackend['createPlayConnection']>) {
    const connection = super.createPlayConnection(...args);
    this.made.push({ kind: 'play', connection });
    return connection;
  }

  /** The selected pair of the newest connection of `kind` (werift's peer connection is the class's `pc`). */
  async selectedPair(kind: 'publish' | 'play'): Promise<SelectedPair | null> {
    const newest = this.made.filter((m) => m.kind === kind).at(-1);
    if (newest === undefined) return null;
    const pc = (newest.connection as unknown as { pc: { getStats(): Promise<Map<string, unknown>> } }).pc;
    const report = await pc.getStats();
    return selectedPairOf([...report.values()] as Record<string, unknown>[]);
  }
}

/** Width and height of a VP8 key frame (RFC 6386 §9.1). */
function vp8Size(frame: Buffer): { width: number; height: number } | null {
  if (frame.length < 10 || (frame[0]! & 1) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

async function main(config: NodeUserConfig): Promise<void> {
  const media = new RecordingBackend({ logger });
  const zg = new ZegoExpressEngine(config.appID, config.wsUrl, { logger, media });
  let sink: FrameSink | null = null;

  const play = async () => {
    const started = performance.now();
    sink = await zg.startPlayingStream(config.playStreamID);
    const firsts = new Set<string>();
    let size: { width: number; height: number } | null = null;
    let reported = false;
    sink.on('frame', (frame) => {
      if (!firsts.has(frame.kind)) {
        firsts.add(frame.kind);
        print({ event: 'firstFrame', kind: frame.kind, ms: Math.round(frame.receivedAt - started) });
      }
      if (frame.kind === 'video' && frame.keyframe) size ??= vp8Size(frame.data);
      const counts = sink!.counts;
      if (reported || counts.videoFrames < ENOUGH.videoFrames || counts.audioFrames < ENOUGH.audioFrames)
        return;
      reported = true;
      print({ event: 'received', ...counts, width: size?.width, height: size?.height });
    });
  };

  zg.on('roomStreamUpdate', (_roomID, updateType, streams) => {
    if (updateType !== 'ADD' || sink !== null) return;
    if (!streams.some((s) => s.streamID === config.playStreamID)) return;
    play().catch((error: unknown) => print({ event: 'error', message: `play: ${String(error)}` }));
  });
  zg.on('publisherStateUpdate', (r) => print({ event: 'publisher', state: r.state, errorCode: r.errorCode }));
  zg.on('playerStateUpdate', (r) => print({ event: 'player', state: r.state, errorCode: r.errorCode }));

  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'pairs') {
      Promise.all([media.selectedPair('publish'), media.selectedPair('play')]).then(
        ([publish, play]) => print({ event: 'pairs', publish, play }),
        (error: unknown) => print({ event: 'error', message: `pairs: ${String(error)}` }),
      );
    } else if (line === 'stop') {
      zg.destroyEngine();
      process.exit(0);
    }
  });

  await zg.loginRoom(config.roomID, config.token, { userID: config.userID }, { userUpdate: true });
  print({ event: 'loggedIn' });
  const local = await zg.createZegoStream();
  if (!zg.startPublishingStream(config.streamID, local)) throw new Error('startPublishingStream refused');
}

main(JSON.parse(process.argv[2] ?? '{}') as NodeUserConfig).catch((error: unknown) => {
  print({ event: 'error', message: error instanceof Error ? error.message : JSON.stringify(error) });
  process.exit(1);
});
