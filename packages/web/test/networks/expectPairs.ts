/**
 * What a side's selected candidate pairs should be on a given path, checked and described for the test's
 * messages and diagnostics.
 */
import type { PairUse, SelectedPair, SidePairs } from './selectedPair.js';

/** The candidate types (any of) and addresses the selected pairs of both connections of one side must have. */
export interface PathExpectation {
  local: readonly string[];
  localAddress: string;
  /** A local relay candidate's transport to the TURN server (Chromium's `relayProtocol`), any of. */
  relayProtocol?: readonly string[];
  remote: readonly string[];
  remoteAddress: string;
}

/** `relay(tls) 198.18.0.1 → host 198.18.0.1:40000 (12 B sent, 3456 B received)`. */
export function describePair(p: PairUse | null): string {
  if (p === null) return 'none';
  const relay = p.local.relayProtocol ? `(${p.local.relayProtocol})` : '';
  return (
    `${p.local.candidateType}${relay} ${p.local.address} → ${p.remote.candidateType} ` +
    `${p.remote.address}:${p.remote.port} (${p.bytesSent} B sent, ${p.bytesReceived} B received)`
  );
}

/** The selected pair, then any pair the connection carried media on before it. */
export function describeSelected(p: SelectedPair | null): string {
  if (p === null || p.earlier.length === 0) return describePair(p);
  return `${describePair(p)}; earlier ${p.earlier.map(describePair).join(', ')}`;
}

/**
 * Why `pairs` do not match `expected` (null when they do): each connection's selected pair must have the
 * expected candidates and have carried its media (sent for the publisher, received for the player) — ICE
 * may still be switching to it, so callers poll this until it holds.
 */
export function pairMismatch(pairs: SidePairs, expected: PathExpectation): string | null {
  for (const role of ['publish', 'play'] as const) {
    const pair = pairs[role];
    if (pair === null) return `${role}: no selected pair`;
    const what = `${role}: ${describePair(pair)}`;
    if (!expected.local.includes(pair.local.candidateType)) return `${what}: local not ${expected.local}`;
    if (pair.local.address !== expected.localAddress) return `${what}: local not at ${expected.localAddress}`;
    if (expected.relayProtocol && !expected.relayProtocol.includes(pair.local.relayProtocol ?? ''))
      return `${what}: relayProtocol not ${expected.relayProtocol}`;
    if (!expected.remote.includes(pair.remote.candidateType)) return `${what}: remote not ${expected.remote}`;
    if (pair.remote.address !== expected.remoteAddress)
      return `${what}: remote not at ${expected.remoteAddress}`;
    const carried = role === 'publish' ? pair.bytesSent : pair.bytesReceived;
    if (carried === 0) return `${what}: no media on it yet`;
  }
  return null;
}
