/**
 * Copies the small buffers a finished DTLS handshake keeps out of Node's shared 8 KiB allocation pool.
 *
 * werift builds its handshake from `Buffer.from`/`Buffer.concat` slices of Node's buffer pool (small buffers
 * are cut from one 8 KiB ArrayBuffer, `Buffer.poolSize`), and its DTLS objects keep some of them for the life of
 * the connection: the master secret, the certificate, the last flight (to resend it if the peer asks), the
 * handshake messages (`handshakeCache`). A slice keeps its whole 8 KiB slab alive. A heap snapshot of the bench
 * server with 250 players held 721 such slabs retained only through werift's DTLS objects (masterSecret,
 * localCert, FragmentedHandshake fragments, verifyData, lastFlight, the session's extensions), ~23 KiB per transport for a few hundred
 * bytes of data. Once the handshake is done, those buffers are replaced by views with the same bytes on one
 * buffer of the transport's own, sized to hold exactly them: werift reads them as before, and the slabs are
 * freed once nothing else holds them. One buffer for all rather than a copy each: every ArrayBuffer costs
 * an object on the heap (88 bytes) and, outside it, its backing store's allocation and V8's bookkeeping for it
 * (a few hundred bytes), where a view costs only its object; a transport keeps about 30 of these buffers.
 * (Since then trimHandshake.ts drops the handshake messages' bytes, the handshake's keys and the client
 * extensions first, so that what is packed here is only what werift still reads.)
 */
import type { RTCDtlsTransport } from 'werift';
import { dtlsSessionOf } from './shapes.js';

/** Objects visited at most per handshake (its whole state is a few hundred). */
const MAX_OBJECTS = 4000;
/** How deep below the DTLS session's context and cipher objects (handshakeCache → flight → data → message). */
const MAX_DEPTH = 6;

/** A pooled slice: a view on a larger ArrayBuffer than itself (Node's pool, or a concatenation). */
function isSlice(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.byteLength < value.buffer.byteLength;
}

/**
 * A data object to descend into: an array or an object with no function of its own. werift's event emitters,
 * transports and sockets keep arrow functions as own properties (`onData`, `send`, `subscribe`), so the walk
 * stays inside the handshake's data and never reaches the connection's other state.
 */
function isData(value: object): boolean {
  if (Array.isArray(value)) return true;
  if (ArrayBuffer.isView(value)) return false;
  for (const key of Object.keys(value)) {
    if (typeof (value as Record<string, unknown>)[key] === 'function') return false;
  }
  return true;
}

/** Where a pooled buffer is kept: `holder[key]`. */
interface Found {
  holder: Record<string, unknown>;
  key: string;
  buffer: Buffer;
}

/** Finds the pooled buffers under `root` (its own properties but `skip`, then data objects below them). */
function slicesUnder(
  root: object,
  skip: ReadonlySet<string>,
  seen: WeakSet<object>,
  budget: { left: number },
  found: Found[],
): void {
  const walk = (holder: Record<string, unknown>, depth: number): void => {
    for (const key of Object.keys(holder)) {
      if (depth === 0 && skip.has(key)) continue;
      const value = holder[key];
      if (isSlice(value)) {
        found.push({ holder, key, buffer: value });
      } else if (
        depth < MAX_DEPTH &&
        typeof value === 'object' &&
        value !== null &&
        !seen.has(value) &&
        budget.left > 0 &&
        isData(value)
      ) {
        seen.add(value);
        budget.left -= 1;
        walk(value as Record<string, unknown>, depth + 1);
      }
    }
  };
  seen.add(root);
  walk(root as Record<string, unknown>, 0);
}

/**
 * Moves the buffers `dtls`'s finished handshake keeps out of the shared pool (see the file's comment). Call once
 * the transport is connected; a transport without a DTLS session is left alone.
 */
export function unpoolHandshake(dtls: RTCDtlsTransport): void {
  const session = dtlsSessionOf(dtls);
  if (!session) return;
  const seen = new WeakSet<object>();
  const budget = { left: MAX_OBJECTS };
  const found: Found[] = [];
  // The context's `options` hold the transport (and through it the ICE connection): not handshake data.
  if (session.dtls) slicesUnder(session.dtls, new Set(['options']), seen, budget, found);
  if (session.cipher) slicesUnder(session.cipher, new Set(), seen, budget, found);
  // The session's own data: the hello extensions it negotiated, kept in `extensions`.
  slicesUnder(session, new Set(['options']), seen, budget, found);
  packInto(found);
}

/**
 * Replaces each found buffer by a view on one new buffer holding all their bytes; a buffer kept in several
 * places gets one view, shared as the buffer was.
 */
function packInto(found: readonly Found[]): void {
  const views = new Map<Buffer, Buffer | null>();
  let total = 0;
  for (const f of found) {
    if (views.has(f.buffer)) continue;
    views.set(f.buffer, null);
    total += f.buffer.byteLength;
  }
  if (total === 0) return;
  const own = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  for (const f of found) {
    let view = views.get(f.buffer);
    if (!view) {
      view = own.subarray(offset, offset + f.buffer.byteLength);
      f.buffer.copy(view);
      offset += view.byteLength;
      views.set(f.buffer, view);
    }
    f.holder[f.key] = view;
  }
}
