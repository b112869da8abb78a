/**
 * The selected ICE candidate pair of one peer connection, read from its `getStats()` report. Chromium and
 * werift both follow the W3C webrtc-stats names (`transport.selectedCandidatePairId`, `candidate-pair`,
 * `local-candidate` / `remote-candidate` with `candidateType`); Chromium adds `relayProtocol`. The report's
 * values arrive here as plain objects (from the page, or from the lab program that owns the werift connection).
 */

/** One end of the selected pair. */
export interface PairEnd {
  candidateType: string;
  address: string;
  port: number;
  protocol: string;
  /** Local relay candidates in Chromium: how the TURN server is reached (udp, tcp or tls). */
  relayProtocol?: string;
}

/** A candidate pair: its two candidates and how many bytes it carried. */
export interface PairUse {
  local: PairEnd;
  remote: PairEnd;
  bytesSent: number;
  bytesReceived: number;
}

/** The selected pair, and the connection's other pairs that carried media before (ICE may switch pairs). */
export interface SelectedPair extends PairUse {
  earlier: PairUse[];
}

/** `stats` as the values of a stats report; null when no pair is selected yet. */
export function selectedPairOf(stats: readonly Record<string, unknown>[]): SelectedPair | null {
  const byId = new Map(stats.map((s) => [s['id'], s]));
  const transport = stats.find((s) => s['type'] === 'transport' && s['selectedCandidatePairId']);
  const pair =
    transport !== undefined
      ? byId.get(transport['selectedCandidatePairId'])
      : stats.find(
          (s) => s['type'] === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded',
        );
  if (pair === undefined) return null;
  const use = (p: Record<string, unknown>): PairUse | null => {
    const local = endOf(byId.get(p['localCandidateId']));
    const remote = endOf(byId.get(p['remoteCandidateId']));
    if (local === null || remote === null) return null;
    return {
      local,
      remote,
      bytesSent: Number(p['bytesSent'] ?? 0),
      bytesReceived: Number(p['bytesReceived'] ?? 0),
    };
  };
  const selected = use(pair);
  if (selected === null) return null;
  const earlier = stats
    .filter((s) => s['type'] === 'candidate-pair' && s !== pair)
    .map(use)
    .filter((p): p is PairUse => p !== null && p.bytesSent + p.bytesReceived > 0);
  return { ...selected, earlier };
}

function endOf(c: Record<string, unknown> | undefined): PairEnd | null {
  if (c === undefined) return null;
  const out: PairEnd = {
    candidateType: String(c['candidateType']),
    address: String(c['address'] ?? c['ip']),
    port: Number(c['port']),
    protocol: String(c['protocol']),
  };
  if (typeof c['relayProtocol'] === 'string') out.relayProtocol = c['relayProtocol'];
  return out;
}

/** The selected pairs of one side's newest publishing and playing connections. */
export type SidePairs = { publish: SelectedPair | null; play: SelectedPair | null };
