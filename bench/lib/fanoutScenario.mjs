/**
 * Builds a fan-out scenario (audio-fanout, video-fanout): one synthetic publisher of one track kind, N players
 * ramped through `--players`, on Parley and on the baseline relay (lib/mediaBench.mjs).
 */
import { mediaHeadline, mediaTable, runMediaBenchmark } from './mediaBench.mjs';
import { baselineFanout, parleyFanout } from './topologies.mjs';

/** A scenario module for `kind` ('audio' | 'video') with its defaults and texts. */
export function fanoutScenario({ name, kind, title, summary, measures, players, seconds }) {
  return {
    name,
    title,
    summary,
    measures,
    options: {
      players: { type: 'ints', default: players, help: 'players at each load step' },
      seconds: { type: 'number', default: seconds, help: 'measured seconds per step' },
      concurrency: { type: 'int', default: 4, help: 'players connecting at once while ramping' },
    },
    async run(opts, { progress }) {
      const max = opts.players[opts.players.length - 1];
      return runMediaBenchmark({
        title,
        unit: 'players',
        steps: opts.players,
        seconds: opts.seconds,
        progress,
        makeParley: ({ meter, pacer }) =>
          parleyFanout({ kinds: [kind], maxPlayers: max, meter, pacer, concurrency: opts.concurrency }),
        makeBaseline: ({ meter, pacer }) => baselineFanout({ kinds: [kind], meter, pacer }),
      });
    },
    headline: (result) => mediaHeadline(result, 'players'),
    markdown: (result) => mediaTable(result, 'players'),
  };
}
