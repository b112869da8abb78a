/**
 * The media pipes of this node's rooms layer: a player here of a stream published on another node gets it
 * through one pipe from that node (the origin) to this node's SFU, which fans it out to every player here; the
 * origin sends each packet once per node however many players the node has.
 *
 * - Remote side: {@link ensure} opens the pipe-in (or waits for the one being opened) and asks the origin for its
 *   end over the cluster (NodeRpc). A pipe-in closes `lingerMs` after its last player stopped. One that closes
 *   under its players (the origin died, the publisher left) is reopened from wherever the stream is published
 *   now, retried while players wait.
 * - Origin side: {@link handleOpen} answers such a request with a pipe-out of a stream published here (never of
 *   a pipe-in, so pipes cannot loop), and {@link nodesPiping} tells which nodes receive a stream.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, ParleyError } from '@parley/protocol';
import { z } from 'zod';
import type { NodeRpc } from '../cluster/NodeRpc.js';
import type { Logger } from '../log.js';
import {
  type PipeIn,
  type PipeOut,
  parsePipeAnswer,
  parsePipeRequest,
  type SfuRouter,
} from '../sfu/index.js';

/** What a node asks a stream's origin for. */
const openPipeRequest = z.object({
  kind: z.literal('openPipe'),
  streamKey: z.string(),
  request: z.unknown(),
});

export interface StreamPipesOptions {
  sfu: SfuRouter;
  rpc: NodeRpc;
  nodeID: string;
  /** How long a pipe-in stays after its last player stopped. */
  lingerMs: number;
  /** How long the origin has to answer a pipe request. */
  requestTimeoutMs: number;
  /** True while a session of this node plays the stream of `streamKey`. */
  hasPlayers(streamKey: string): boolean;
  /** The node that publishes `streamKey` now (null when nobody does, or this node itself). */
  locate(streamKey: string): Promise<string | null>;
  logger: Logger;
}

interface InEntry {
  origin: string;
  pipe: Promise<PipeIn>;
  linger: NodeJS.Timeout | null;
}

export class StreamPipes {
  private readonly ins = new Map<string, InEntry>();
  private readonly outs = new Map<string, Map<string, { nodeID: string; pipe: PipeOut }>>();
  private readonly reopening = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: StreamPipesOptions) {}

  /** Makes the stream of `streamKey`, published on `origin`, playable from this node's SFU. */
  async ensure(streamKey: string, origin: string): Promise<void> {
    const current = this.ins.get(streamKey);
    if (current && current.origin === origin) {
      await current.pipe;
      return;
    }
    if (current) this.drop(streamKey, current);
    const entry: InEntry = { origin, pipe: this.open(streamKey, origin), linger: null };
    this.ins.set(streamKey, entry);
    try {
      const pipe = await entry.pipe;
      this.watch(streamKey, entry, pipe);
    } catch (err) {
      if (this.ins.get(streamKey) === entry) this.ins.delete(streamKey);
      throw err;
    }
  }

  /** Answers another node's request for a pipe of a stream published here. */
  async handleOpen(from: string, body: unknown): Promise<unknown> {
    const parsed = openPipeRequest.safeParse(body);
    if (!parsed.success) throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'not a pipe request');
    const { streamKey } = parsed.data;
    if (!this.o.sfu.publisher(streamKey)) {
      throw ParleyError.of(ErrorCode.PLAY_STREAM_NOT_FOUND, `${streamKey} is not published on this node`);
    }
    const { answer, pipe } = await this.o.sfu.openPipeOut(streamKey, parsePipeRequest(parsed.data.request));
    let byPipe = this.outs.get(streamKey);
    if (!byPipe) {
      byPipe = new Map();
      this.outs.set(streamKey, byPipe);
    }
    byPipe.set(answer.pipeID, { nodeID: from, pipe });
    pipe.once('close', () => {
      const set = this.outs.get(streamKey);
      if (set?.get(answer.pipeID)?.pipe !== pipe) return;
      set.delete(answer.pipeID);
      if (set.size === 0) this.outs.delete(streamKey);
    });
    this.o.logger.debug('pipe out', { stream: streamKey, to: from, pipe: answer.pipeID });
    return answer;
  }

  /** The nodes this node pipes `streamKey` to. */
  nodesPiping(streamKey: string): string[] {
    return [...new Set([...(this.outs.get(streamKey)?.values() ?? [])].map((o) => o.nodeID))];
  }

  /** Closes every pipe-in (pipe-outs are the SFU's, closed with it) and stops reopening. */
  close(): void {
    this.closed = true;
    for (const timer of this.reopening.values()) clearTimeout(timer);
    this.reopening.clear();
    for (const [key, entry] of [...this.ins]) this.drop(key, entry);
  }

  private async open(streamKey: string, origin: string): Promise<PipeIn> {
    const pipeID = `${this.o.nodeID}/${randomBytes(6).toString('base64url')}`;
    const pipe = await this.o.sfu.openPipeIn(streamKey, pipeID);
    try {
      const answer = await this.o.rpc.request(
        origin,
        { kind: 'openPipe', streamKey, request: pipe.request },
        this.o.requestTimeoutMs,
      );
      await pipe.connect(parsePipeAnswer(answer));
    } catch (err) {
      void pipe.close('failed');
      throw err;
    }
    this.o.logger.debug('pipe in', { stream: streamKey, from: origin, pipe: pipeID });
    return pipe;
  }

  private watch(streamKey: string, entry: InEntry, pipe: PipeIn): void {
    const lingerIfIdle = (count: number): void => {
      if (entry.linger) clearTimeout(entry.linger);
      entry.linger = null;
      if (count > 0) return;
      entry.linger = setTimeout(() => {
        if (this.ins.get(streamKey) === entry) this.drop(streamKey, entry);
      }, this.o.lingerMs);
      entry.linger.unref();
    };
    pipe.on('players', lingerIfIdle);
    // The pipe is opened for a play that attaches its player right after; one that never does still lingers out.
    lingerIfIdle(pipe.playerCount);
    pipe.once('close', (reason) => {
      if (entry.linger) clearTimeout(entry.linger);
      if (this.ins.get(streamKey) !== entry) return;
      this.ins.delete(streamKey);
      this.o.logger.debug('pipe in closed', { stream: streamKey, reason });
      if (this.o.hasPlayers(streamKey)) this.scheduleReopen(streamKey, 200);
    });
  }

  /** Reopens the pipe of a stream whose players are still waiting, from wherever it is published now. */
  private scheduleReopen(streamKey: string, delayMs: number): void {
    if (this.closed || this.reopening.has(streamKey)) return;
    const timer = setTimeout(() => {
      this.reopening.delete(streamKey);
      if (this.closed || this.ins.has(streamKey) || !this.o.hasPlayers(streamKey)) return;
      void this.o
        .locate(streamKey)
        .then((origin) =>
          origin ? this.ensure(streamKey, origin) : Promise.reject(new Error('not published')),
        )
        .catch(() => this.scheduleReopen(streamKey, Math.min(delayMs * 2, 2000)));
    }, delayMs);
    timer.unref();
    this.reopening.set(streamKey, timer);
  }

  private drop(streamKey: string, entry: InEntry): void {
    if (entry.linger) clearTimeout(entry.linger);
    entry.linger = null;
    if (this.ins.get(streamKey) === entry) this.ins.delete(streamKey);
    void entry.pipe.then(
      (pipe) => pipe.close('closed'),
      () => {},
    );
  }
}
