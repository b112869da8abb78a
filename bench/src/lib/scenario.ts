/**
 * What a scenario is to the command line (run.ts) and to the BENCHMARKS.md writer: its names and texts, its
 * option table, `run`, and the two views of its results (the Markdown table and the headline). Each scenario
 * is written against its own option values and result shape ({@link defineScenario}); the command line holds
 * them all as {@link Scenario}.
 */
import type { MachineInfo } from './machine.js';
import type { OptionTable, OptionValues } from './options.js';
import type { Progress } from './progress.js';

/** What `run` returns: the scenario's own fields of the results file, its notes and its chart (SVG text). */
export interface ScenarioOutput {
  notes?: string[];
  chart?: string | null;
}

/** A results file: what the command line adds around a scenario's output. */
export type ScenarioResult<R extends ScenarioOutput = ScenarioOutput> = R & {
  scenario: string;
  title: string;
  measures: string;
  options: Record<string, unknown>;
  machine: MachineInfo;
  startedAt: string;
  durationSeconds: number;
};

/** The line of a scenario in BENCHMARKS.md's summary table. */
export interface Headline {
  result: string;
  baseline?: string | null;
  ratio?: string | null;
  /** Other forwarders measured in the same run (Janus, `--peer janus`). */
  peers?: string | null;
}

/** What a scenario's `run` gets besides its options. */
export interface RunContext {
  progress: Progress;
}

/** A scenario as written: typed by its option table `T` and its output `R`. */
export interface ScenarioDefinition<T extends OptionTable, R extends ScenarioOutput> {
  name: string;
  title: string;
  summary: string;
  measures: string;
  options: T;
  run(opts: OptionValues<T>, context: RunContext): Promise<R>;
  markdown(result: ScenarioResult<R>): string;
  headline(result: ScenarioResult<R>): Headline;
}

/** A scenario as the command line holds it. */
export interface Scenario {
  name: string;
  title: string;
  summary: string;
  measures: string;
  options: OptionTable;
  run(opts: Record<string, unknown>, context: RunContext): Promise<ScenarioOutput>;
  markdown(result: ScenarioResult): string;
  headline(result: ScenarioResult): Headline;
}

/**
 * Wraps a typed scenario for the command line. The casts are the one place the types are taken on trust: the
 * option values are what `parseOptions` made of this scenario's own table, and a result handed to
 * `markdown` / `headline` is one this scenario's `run` produced (in this process, or read back from the
 * results file it wrote).
 */
export function defineScenario<T extends OptionTable, R extends ScenarioOutput>(
  definition: ScenarioDefinition<T, R>,
): Scenario {
  return {
    name: definition.name,
    title: definition.title,
    summary: definition.summary,
    measures: definition.measures,
    options: definition.options,
    run: (opts, context) => definition.run(opts as OptionValues<T>, context),
    markdown: (result) => definition.markdown(result as ScenarioResult<R>),
    headline: (result) => definition.headline(result as ScenarioResult<R>),
  };
}
