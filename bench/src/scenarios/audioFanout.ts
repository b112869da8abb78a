/**
 * audio-fanout: one Opus publisher (synthetic: 160-byte payloads, 50 packets/s) → N players, N ramped; on
 * Parley and on the baseline relay. Measures per step the server's CPU µs per forwarded packet, loss, and the
 * latency the forwarder adds (p50/p99), and the capacity: the most players with ≤ 0.5 % loss and p99 ≤ 20 ms.
 */
import { fanoutScenario } from '../lib/fanoutScenario.js';

export default fanoutScenario({
  name: 'audio-fanout',
  kind: 'audio',
  title: 'audio-fanout: 1 Opus publisher (50 packets/s) → N players',
  summary: '1 Opus publisher (50 packets/s) → N players, N ramped; Parley vs the baseline relay',
  measures:
    'Synthetic Opus RTP (160-byte payloads, 50 packets/s, numbered and timestamped) sent by a werift-connected publisher ' +
    'at the socket and played by N players (werift peer connections whose RTP a light receiver reads); per step: server CPU µs per forwarded packet, loss, added latency.',
  players: [50, 200, 400, 600, 800],
  seconds: 5,
});
