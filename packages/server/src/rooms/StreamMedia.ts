/**
 * The rooms layer's use of the SFU: a stream's offer becomes an SFU publisher, a session's play becomes an SFU
 * player, and SFU failures become Express codes. Keys given to the SFU are opaque strings built here
 * (`appID/streamID` for streams, `sessionID/streamID` for players); the SFU never sees rooms or users.
 */
import { ErrorCode, ParleyError } from '@parley/protocol';
import type { Logger } from '../log.js';
import { SfuError, type SfuRouter, type SubscriberTransport } from '../sfu/index.js';
import type { Session } from './Session.js';
import type { StreamRecord } from './StreamRecord.js';

/** The SFU failure codes in the words of a publish and of a play. */
const PUBLISH_CODES: Record<SfuError['code'], number> = {
  CLOSED: ErrorCode.MEDIA_SERVER_BUSY,
  TRANSPORT_LIMIT: ErrorCode.MEDIA_SERVER_BUSY,
  PLAYER_LIMIT: ErrorCode.PLAY_PLAYER_LIMIT,
  STREAM_NOT_FOUND: ErrorCode.STREAM_NOT_FOUND,
  INVALID_SDP: ErrorCode.INPUT_PARAMETER,
  NEGOTIATION_FAILED: ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT,
};
const PLAY_CODES: Record<SfuError['code'], number> = {
  ...PUBLISH_CODES,
  STREAM_NOT_FOUND: ErrorCode.PLAY_STREAM_NOT_FOUND,
  NEGOTIATION_FAILED: ErrorCode.PLAY_NEGOTIATION_FAILED,
};

/** An SFU error as a ParleyError with its Express code; anything else is rethrown as is. */
function expressError(err: unknown, codes: Record<SfuError['code'], number>): unknown {
  if (err instanceof SfuError) return ParleyError.of(codes[err.code], err.message);
  return err;
}

export class StreamMedia {
  /** The player transports of each session, by streamID. */
  private readonly players = new Map<Session, Map<string, SubscriberTransport>>();
  /** The sessions playing each stream, by `appID/streamID`. */
  private readonly audiences = new Map<string, Set<Session>>();

  constructor(
    private readonly router: SfuRouter,
    private readonly log: Logger,
  ) {}

  /**
   * Answers a publisher's offer for `record`. `onMedia` is called once, when the first packet arrives.
   * Throws a ParleyError (with the Express code) if the SFU refuses.
   */
  async publish(
    record: StreamRecord,
    offerSdp: string,
    onMedia: () => void,
  ): Promise<{ answerSdp: string; release: () => void }> {
    let created: Awaited<ReturnType<SfuRouter['publish']>>;
    try {
      created = await this.router.publish(streamKey(record), offerSdp);
    } catch (err) {
      throw expressError(err, PUBLISH_CODES);
    }
    const { transport, answerSdp } = created;
    let told = false;
    const tell = (): void => {
      if (told) return;
      told = true;
      onMedia();
    };
    for (const producer of transport.producerList) producer.once('firstPacket', tell);
    this.log.debug('publisher transport', { stream: streamKey(record), transport: transport.id });
    // Closes this transport only: a newer publish of the same streamID may have replaced it already.
    return { answerSdp, release: () => void transport.close('closed') };
  }

  /** Releases the SFU publisher of a stream that left the registry. */
  unpublish(record: StreamRecord): void {
    if (record.media !== 'sfu') return;
    void this.router.publisher(streamKey(record))?.close('closed');
  }

  /** Starts (or restarts) `session` playing `record`: returns the SFU's offer. */
  async play(session: Session, record: StreamRecord): Promise<string> {
    if (record.media !== 'sfu') {
      throw ParleyError.of(
        ErrorCode.PLAY_STREAM_NOT_FOUND,
        `stream ${record.streamID} carries no media here`,
      );
    }
    return this.playKey(session, record.streamID, streamKey(record));
  }

  /**
   * Starts (or restarts) `session` playing the stream of `key` in the SFU — published here, or piped from its
   * origin: returns the SFU's offer.
   */
  async playKey(session: Session, streamID: string, key: string): Promise<string> {
    let created: Awaited<ReturnType<SfuRouter['play']>>;
    try {
      created = await this.router.play(playerKey(session, streamID), key);
    } catch (err) {
      throw expressError(err, PLAY_CODES);
    }
    const { transport, offerSdp } = created;
    if (session.isClosed) {
      void transport.close('closed');
      throw ParleyError.of(ErrorCode.NOT_LOGGED_IN);
    }
    let mine = this.players.get(session);
    if (!mine) {
      mine = new Map();
      this.players.set(session, mine);
    }
    mine.set(streamID, transport);
    let audience = this.audiences.get(key);
    if (!audience) {
      audience = new Set();
      this.audiences.set(key, audience);
    }
    audience.add(session);
    transport.once('close', () => {
      const current = this.players.get(session);
      if (current?.get(streamID) !== transport) return;
      current.delete(streamID);
      if (current.size === 0) this.players.delete(session);
      const set = this.audiences.get(key);
      set?.delete(session);
      if (set?.size === 0) this.audiences.delete(key);
    });
    return offerSdp;
  }

  /** Applies the player's answer to the offer `play` gave. */
  async answer(session: Session, streamID: string, answerSdp: string): Promise<void> {
    const transport = this.players.get(session)?.get(streamID);
    if (!transport) throw ParleyError.of(ErrorCode.INPUT_PARAMETER, `no play of ${streamID} to answer`);
    try {
      await transport.setAnswer(answerSdp);
    } catch (err) {
      throw expressError(err, PLAY_CODES);
    }
  }

  /** Stops a play; 1104039 if the session does not play `streamID`. */
  stopPlay(session: Session, streamID: string): void {
    const transport = this.players.get(session)?.get(streamID);
    if (!transport) throw ParleyError.of(ErrorCode.PLAY_STREAM_NOT_FOUND, `${streamID} is not being played`);
    void transport.close('closed');
  }

  /** True if `session` plays `streamID`. */
  isPlaying(session: Session, streamID: string): boolean {
    return this.players.get(session)?.has(streamID) ?? false;
  }

  /** The sessions of the AppID `appID` that play `streamID`. */
  sessionsPlaying(appID: number, streamID: string): Session[] {
    return [...(this.audiences.get(`${appID}/${streamID}`) ?? [])];
  }

  /** True while a session plays the stream of `key` (an SFU stream key). */
  hasAudience(key: string): boolean {
    return (this.audiences.get(key)?.size ?? 0) > 0;
  }

  /** Closes every player transport of a session that ended. */
  endSession(session: Session): void {
    const mine = this.players.get(session);
    if (!mine) return;
    // Each close event removes the transport from `players` and `audiences`.
    for (const transport of [...mine.values()]) void transport.close('closed');
  }
}

function streamKey(record: StreamRecord): string {
  return streamKeyOf(record.session.appID, record.streamID);
}

/** The AppID and streamID of an SFU stream key. */
export function splitStreamKey(key: string): { appID: number; streamID: string } {
  const slash = key.indexOf('/');
  return { appID: Number(key.slice(0, slash)), streamID: key.slice(slash + 1) };
}

/** The SFU's key of a stream of an AppID. */
export function streamKeyOf(appID: number, streamID: string): string {
  return `${appID}/${streamID}`;
}

function playerKey(session: Session, streamID: string): string {
  return `${session.id}/${streamID}`;
}
