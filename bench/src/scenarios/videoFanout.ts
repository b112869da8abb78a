/**
 * video-fanout: one VP8 publisher (synthetic: 30 frames/s of 3 packets of 1000–1200 bytes, ~90 packets/s,
 * ~1 Mbit/s, keyframes every 2 s and on PLI) → N players, N ramped; on Parley and on the baseline relay.
 * Measures per step the server's CPU µs per forwarded packet, loss, added latency (p50/p99), and the capacity.
 */
import { fanoutScenario } from '../lib/fanoutScenario.js';

export default fanoutScenario({
  name: 'video-fanout',
  kind: 'video',
  title: 'video-fanout: 1 VP8 publisher (~1 Mbit/s, ~90 packets/s) → N players',
  summary: '1 VP8 publisher (~1 Mbit/s, ~90 packets/s) → N players, N ramped; Parley vs the baseline relay',
  measures:
    'Synthetic VP8 RTP (30 frames/s × 3 packets of 1000–1200 bytes, paced as libwebrtc paces video, real payload ' +
    'descriptors and keyframe headers, numbered and timestamped) sent by a werift-connected publisher at the socket and played by N players (werift peer connections whose RTP a light receiver reads); per step: server ' +
    'CPU µs per forwarded packet, loss, added latency.',
  players: [25, 50, 100, 200, 300],
  seconds: 5,
});
