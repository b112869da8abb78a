/**
 * The garbage-collector setting of a process whose main work is forwarding media (`parley serve`).
 *
 * Every forwarded packet is sealed into keystream that OpenSSL returns in a new buffer (Node's ciphers have no
 * output argument), so a forwarding server allocates about one byte of memory outside V8's heap per byte it
 * sends: 11 MB/s for 100 players of a 1 Mbit/s video. V8 counts that memory against the old generation's
 * limit, and with its default growth (the limit set at about 1.8 times the live heap after a full
 * collection) the room left above a ~30 MB live heap is smaller than the young generation once that has grown
 * to full size: V8 then starts a full (mark-compact) collection about every second, marking the whole live
 * heap on the main thread and three helper threads, where a young-generation collection would have freed the
 * same short-lived buffers. Measured (ad hoc, 100 video players, 9,000 packets/s): ~5 full collections in 6 s
 * and 22 µs of server CPU per packet by default, none and 17–19 µs with the limit at twice the live heap.
 *
 * `--heap-growing-percent` is read each time V8 recomputes the limit, so setting it at run time takes effect
 * at the next collection. It is process-wide: the CLI applies it to the process it owns; a program embedding
 * {@link startServer} decides for its own process.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to this percentage above its live size before a full collection. */
export const FORWARDING_HEAP_GROWING_PERCENT = 100;

/** Sets this process's heap growth for forwarding ({@link FORWARDING_HEAP_GROWING_PERCENT}). */
export function tuneHeapForForwarding(): void {
  setFlagsFromString(`--heap-growing-percent=${FORWARDING_HEAP_GROWING_PERCENT}`);
}
