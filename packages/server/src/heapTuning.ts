/**
 * The garbage-collector setting of a process whose main work is forwarding media (`parley serve`).
 *
 * A forwarding server allocates steadily and briefly: about 1 KB of short-lived objects per forwarded packet,
 * plus the keystream OpenSSL returns in a new buffer outside V8's heap (Node's ciphers take no output
 * buffer), about one byte per byte sent. With V8's default heap growth, a server with ~27 MB live (100 video
 * players, 9,000 packets/s, 9 MB/s young and 11 MB/s outside the heap) never got to a young-generation
 * collection: V8's soft limit started incremental marking again soon after each full collection
 * (`--trace-incremental-marking`: "Start (task): size/limit/slack 27MB / 50MB / 23MB"), so a full
 * mark-compact ran about every second, marking the whole live heap on the main thread and three helper
 * threads, where a scavenge would have freed the same short-lived garbage. With the old generation allowed to
 * grow to twice its live size before a full collection, only scavenges ran (one every ~1.5 s, 1–2.5 ms).
 * Measured ad hoc on that load: ~5 full collections in 6 s and 22 µs of server CPU per packet by default,
 * 17–19 µs with this setting; the benchmark's 5-s windows now show at most one (video) or none (audio,
 * meeting).
 *
 * `--heap-growing-percent` is read each time V8 recomputes the limit, so setting it at run time takes effect
 * at the next collection. It is process-wide: the CLI applies it to the process it owns; a program that
 * embeds `startServer` decides for its own process.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to this percentage above its live size before a full collection. */
export const FORWARDING_HEAP_GROWING_PERCENT = 100;

/** Sets this process's heap growth for forwarding ({@link FORWARDING_HEAP_GROWING_PERCENT}). */
export function tuneHeapForForwarding(): void {
  setFlagsFromString(`--heap-growing-percent=${FORWARDING_HEAP_GROWING_PERCENT}`);
}
