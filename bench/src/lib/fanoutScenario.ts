/**
 * Builds a fan-out scenario (audio-fanout, video-fanout): one synthetic publisher of one track kind, N players
 * ramped through `--players`, on Parley and on the baseline relay (lib/mediaBench.ts).
 */
import { type MediaOutput, mediaHeadline, mediaTable, runMediaBenchmark } from './mediaBench.js';
import { defineScenario, type Scenario } from './scenario.js';
import { baselineFanout, type MediaKind, parleyFanout } from './topologies.js';

/** A scenario module for `kind` ('audio' | 'video') with its defaults and texts. */
export function fanoutScenario({
  name,
  kind,
  title,
  summary,
  measures,
  players,
  seconds,
}: {
  name: string;
  kind: MediaKind;
  title: string;
  summary: string;
  measures: string;
  players: number[];
  seconds: number;
}): Scenario {
  return defineScenario({
    name,
    title,
    summary,
    measures,
    options: {
      players: { type: 'ints', default: players, help: 'players at each load step' },
      seconds: { type: 'number', default: seconds, help: 'measured seconds per step' },
      concurrency: { type: 'int', default: 4, help: 'players connecting at once while ramping' },
    } as const,
    async run(opts, { progress }): Promise<MediaOutput> {
      const max = opts.players[opts.players.length - 1] ?? 0;
      return runMediaBenchmark({
        title,
        unit: 'players',
        steps: opts.players,
        seconds: opts.seconds,
        progress,
        // The peers measured side by side, each on the same steps (see MediaPeer).
        peers: [
          {
            name: 'parley',
            make: ({ meter, pacer }) =>
              parleyFanout({ kinds: [kind], maxPlayers: max, meter, pacer, concurrency: opts.concurrency }),
          },
          { name: 'baseline', make: ({ meter, pacer }) => baselineFanout({ kinds: [kind], meter, pacer }) },
        ],
      });
    },
    headline: (result) => mediaHeadline(result, 'players'),
    markdown: (result) => mediaTable(result, 'players'),
  });
}
