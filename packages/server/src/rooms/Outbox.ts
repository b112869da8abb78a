/**
 * The events sent to one session, numbered, kept until the client acknowledges them, so that a client that
 * lost its socket can resume and get again everything after the last event it handled.
 */
import type { EncodedEvent } from '@parley/protocol';

export class Outbox {
  private nextSeq = 1;
  /** Serialized `evt` frames, oldest first; `frames[i]` has seq `firstSeq + i`. */
  private frames: string[] = [];
  private firstSeq = 1;

  constructor(private readonly capacity: number) {}

  /** Numbers an event, keeps it, and returns the frame text to send. */
  add(eventJson: EncodedEvent): string {
    const seq = this.nextSeq++;
    const frame = `{"t":"evt","seq":${seq},"ev":${eventJson}}`;
    this.frames.push(frame);
    if (this.frames.length > this.capacity) {
      // Dropping unacknowledged events makes a resume from before them impossible (see canReplayAfter).
      this.frames.shift();
      this.firstSeq++;
    }
    return frame;
  }

  /** The client handled everything up to `seq`: forget it. */
  ack(seq: number): void {
    const drop = Math.min(seq - this.firstSeq + 1, this.frames.length);
    if (drop > 0) {
      this.frames.splice(0, drop);
      this.firstSeq += drop;
    }
  }

  /** True if every event after `lastSeq` is still here. */
  canReplayAfter(lastSeq: number): boolean {
    return lastSeq + 1 >= this.firstSeq && lastSeq < this.nextSeq;
  }

  /** The frames after `lastSeq`, oldest first. */
  after(lastSeq: number): string[] {
    return this.frames.slice(Math.max(0, lastSeq + 1 - this.firstSeq));
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get size(): number {
    return this.frames.length;
  }
}
