/**
 * The `extendedData` strings of Express events. On a stream DELETE it is JSON naming why each stream went:
 * `{"stream_delete_reason":[{"stream_id":"s1","code":1}]}` (codes: StreamDeleteReason of @parley/protocol).
 */

/** The reason entries of a `streamUpdate` DELETE event. */
export interface StreamDeleteReasonEntry {
  stream_id: string;
  code: number;
}

/**
 * Builds the `extendedData` of `roomStreamUpdate` DELETE from the event's reasons.
 * @example
 * streamDeleteExtendedData([{ stream_id: 's1', code: 1 }]); // '{"stream_delete_reason":[{"stream_id":"s1","code":1}]}'
 */
export function streamDeleteExtendedData(reasons: readonly StreamDeleteReasonEntry[] | undefined): string {
  const list = (reasons ?? []).map((r) => ({ stream_id: r.stream_id, code: r.code }));
  return JSON.stringify({ stream_delete_reason: list });
}
