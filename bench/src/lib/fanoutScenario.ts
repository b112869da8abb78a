/**
 * Builds a fan-out scenario (audio-fanout, video-fanout): one synthetic publisher of one track kind, N players
 * ramped through `--players`, on Parley and on the baseline relay (lib/mediaBench.ts), and with `--peer janus` on
 * Janus too (bench/src/janus/).
 */
import { janusFanout } from '../janus/janusFanout.js';
import { JANUS_VARIANTS, janusSkipLine, janusVariantsOf, PEER_CHOICES } from '../janus/janusPeer.js';
import { type MediaOutput, type MediaPeer, ROUNDS_OPTION, runMediaBenchmark } from './mediaBench.js';
import { mediaHeadline, mediaTable } from './mediaReport.js';
import { UsageError } from './options.js';
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
      seconds: { type: 'number', default: seconds, help: 'measured seconds per window' },
      rounds: ROUNDS_OPTION,
      concurrency: { type: 'int', default: 4, help: 'players connecting at once while ramping' },
      peer: {
        type: 'string',
        default: 'none',
        help: `another forwarder measured in the same run: ${PEER_CHOICES.join(' | ')} (janus: both of its variants)`,
      },
    } as const,
    async run(opts, { progress }): Promise<MediaOutput> {
      const max = opts.players[opts.players.length - 1] ?? 0;
      let variants: ReturnType<typeof janusVariantsOf>;
      try {
        variants = janusVariantsOf(opts.peer);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const notes: string[] = [];
      const skip = variants.length > 0 ? janusSkipLine() : null;
      if (skip !== null) {
        progress.log(skip);
        notes.push(skip);
        variants = [];
      }
      const janusPeers: MediaPeer[] = variants.map((variant) => ({
        name: variant,
        optional: true,
        alone: true,
        make: ({ meter, pacer }) =>
          janusFanout({
            kinds: [kind],
            meter,
            pacer,
            concurrency: opts.concurrency,
            eventLoops: JANUS_VARIANTS[variant].eventLoops,
          }),
      }));
      return runMediaBenchmark({
        title,
        unit: 'players',
        steps: opts.players,
        seconds: opts.seconds,
        rounds: opts.rounds,
        progress,
        // The peers measured side by side, each on the same steps (see MediaPeer).
        peers: [
          {
            name: 'parley',
            make: ({ meter, pacer }) =>
              parleyFanout({ kinds: [kind], maxPlayers: max, meter, pacer, concurrency: opts.concurrency }),
          },
          { name: 'baseline', make: ({ meter, pacer }) => baselineFanout({ kinds: [kind], meter, pacer }) },
          ...janusPeers,
        ],
        notes,
        controlFloor: { kind },
      });
    },
    headline: (result) => mediaHeadline(result, 'players'),
    markdown: (result) => mediaTable(result, 'players'),
  });
}
