/**
 * The synthetic camera's recently encoded frames, shared by every camera of the process.
 *
 * A camera's frame is a pure function of its picture size, its frame number and whether it is a key frame, so
 * cameras that run at the same time (a load test's thousand bots, started within seconds of each other) would
 * all draw and encode the same pictures. Drawing and encoding one 320x240 frame takes about a third of a
 * millisecond: a thousand cameras at 30 fps would need ten cores, while copying a cached frame costs
 * microseconds. The cache is bounded in bytes and forgets the least recently used frames first.
 */

/** A least-recently-used map of frames, bounded by the bytes it holds. */
export class SharedFrames {
  private readonly frames = new Map<string, Buffer>();
  private bytes = 0;

  /** `budgetBytes`: most bytes of frames kept at once. */
  constructor(readonly budgetBytes: number) {
    if (!(Number.isInteger(budgetBytes) && budgetBytes >= 0)) {
      throw new TypeError(`the frame budget must be a non-negative integer, got ${budgetBytes}`);
    }
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** Frames held now. */
  get count(): number {
    return this.frames.size;
  }

  /**
   * A copy of the frame under `key`, made by `make()` only when no camera made it recently. The copy belongs
   * to the caller: no consumer can change what another camera sends.
   */
  get(key: string, make: () => Buffer): Buffer {
    let frame = this.frames.get(key);
    if (frame) {
      // Map keeps insertion order: moving the key to the end marks it most recently used.
      this.frames.delete(key);
      this.frames.set(key, frame);
    } else {
      frame = make();
      this.add(key, frame);
    }
    return Buffer.from(frame);
  }

  private add(key: string, frame: Buffer): void {
    if (frame.length > this.budgetBytes) return;
    this.frames.set(key, frame);
    this.bytes += frame.length;
    for (const [oldest, old] of this.frames) {
      if (this.bytes <= this.budgetBytes) break;
      this.frames.delete(oldest);
      this.bytes -= old.length;
    }
  }
}
