/**
 * Replaces the UUID strings werift keeps as object ids with flat copies of themselves.
 *
 * werift names most of its objects with `crypto.randomUUID()` (peer connection, transceivers, senders,
 * receivers, tracks, ICE and DTLS transports, candidates, candidate pairs: about a dozen per connection).
 * Node builds that string by concatenating 16 two-digit hex strings and four dashes in JavaScript, so V8 keeps
 * it as a tree of about 15 cons strings (32 bytes each) over the shared hex pieces, never flattened because
 * werift only compares and prints it: a heap snapshot of the bench server counted ~750 bytes per id, ~9 KiB
 * per player transport, where the same 36 characters as one flat string take 56 bytes. The copy is the same
 * string value (strings have no identity in JavaScript), so werift and Parley read the same ids as before.
 */

/** Whether `value` has the shape of `crypto.randomUUID()`'s output (8-4-4-4-12 hex digits). */
function isUuid(value: string): boolean {
  return (
    value.length === 36 && value[8] === '-' && value[13] === '-' && value[18] === '-' && value[23] === '-'
  );
}

/** One flat string with the characters of `value` (Node writes it from the bytes in one piece). */
function flatCopy(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
}

/**
 * Replaces each UUID-shaped string in `holder`'s own writable data properties by a flat copy; returns how
 * many were replaced. Accessors are left alone (setting one would run code).
 */
export function flattenUuids(holder: object): number {
  let replaced = 0;
  const own = holder as Record<string, unknown>;
  for (const key of Object.keys(own)) {
    const value = own[key];
    if (typeof value !== 'string' || !isUuid(value)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(own, key);
    if (!descriptor || !('value' in descriptor) || !descriptor.writable) continue;
    own[key] = flatCopy(value);
    replaced += 1;
  }
  return replaced;
}
