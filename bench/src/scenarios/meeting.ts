/**
 * meeting: N users in one room, each publishing audio + video (synthetic Opus 50 packets/s and VP8 ~90
 * packets/s) and playing every other user — N × (N − 1) played streams — N ramped; on Parley and on the
 * baseline relay. Measures per step the server's CPU µs per forwarded packet, loss, added latency (p50/p99),
 * and the capacity: the most users with ≤ 0.5 % loss and p99 ≤ 20 ms.
 */
import { ROUNDS_OPTION, runMediaBenchmark } from '../lib/mediaBench.js';
import { mediaHeadline, mediaTable } from '../lib/mediaReport.js';
import { defineScenario } from '../lib/scenario.js';
import { baselineMeeting, parleyMeeting } from '../lib/topologies.js';

const TITLE = 'meeting: N users, each publishing audio + video and playing all others';

export default defineScenario({
  name: 'meeting',
  title: TITLE,
  summary:
    'N users each publishing audio+video and playing all others, N ramped; Parley vs the baseline relay',
  measures:
    'Each user publishes synthetic Opus (50 packets/s) and VP8 (~90 packets/s, ~1 Mbit/s) on a werift connection ' +
    'plays every other user with one werift connection per stream; per step: server CPU µs per forwarded ' +
    'packet, loss, added latency.',
  options: {
    users: { type: 'ints', default: [4, 8, 12, 16], help: 'users at each load step' },
    seconds: { type: 'number', default: 5, help: 'measured seconds per window' },
    rounds: ROUNDS_OPTION,
    concurrency: { type: 'int', default: 4, help: 'connections negotiated at once while ramping' },
  } as const,
  async run(opts, { progress }) {
    const max = opts.users[opts.users.length - 1] ?? 0;
    return runMediaBenchmark({
      title: TITLE,
      unit: 'users',
      steps: opts.users,
      seconds: opts.seconds,
      rounds: opts.rounds,
      progress,
      peers: [
        {
          name: 'parley',
          make: ({ meter, pacer }) =>
            parleyMeeting({ maxUsers: max, meter, pacer, concurrency: opts.concurrency }),
        },
        { name: 'baseline', make: ({ meter, pacer }) => baselineMeeting({ meter, pacer }) },
      ],
    });
  },
  headline: (result) => mediaHeadline(result, 'users'),
  markdown: (result) => mediaTable(result, 'users'),
});
