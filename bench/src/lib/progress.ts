/**
 * Progress on stderr while a scenario runs. On a terminal: one bar redrawn in place (at most 10 times a
 * second). Otherwise (a pipe, a CI log): plain lines — one when a phase starts, then at most one every 5 s
 * while it moves — so logs stay short.
 * Measurement results go to stdout; nothing here writes there.
 */

const WIDTH = 28;

/** A reporter for one run: `phase()` starts a bar, `update()` moves it, `log()` prints a line above it. */
export interface Progress {
  /** Starts a phase of `phaseTotal` units (0: no count, just a label). */
  phase(phaseLabel: string, phaseTotal?: number): void;
  /** Sets the units done so far, with an optional short note (e.g. the current figure). */
  update(units: number, phaseNote?: string): void;
  /** Prints a line (a step's result) without breaking the bar. */
  log(text: string): void;
  /** Ends the bar. */
  end(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
  let label = '';
  let total = 0;
  let done = 0;
  let note = '';
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  const startedAt = performance.now();

  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const draw = (force: boolean): void => {
    const now = performance.now();
    if (tty) {
      if (!force && now - lastDraw < 100) return;
      lastDraw = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
      const count = total > 0 ? ` ${done}/${total}` : '';
      const line = `${elapsed(startedAt)} ${label} [${bar}]${count}${note ? ` ${note}` : ''}`;
      stream.write(`\r\x1b[K${line.slice(0, (stream.columns ?? 120) - 1)}`);
      drawn = true;
      return;
    }
    // Plain lines: the phase's start, then at most one every 5 s when the count moved by a tenth or more.
    const decile = total > 0 ? Math.floor((Math.min(1, done / total) * 100) / 10) : 0;
    if (!force && (decile === lastDecile || now - lastDraw < 5000)) return;
    lastDecile = decile;
    lastDraw = now;
    const count = total > 0 ? ` ${done}/${total} (${Math.round((done / total) * 100)}%)` : '';
    stream.write(`${elapsed(startedAt)} ${label}${count}${note ? ` ${note}` : ''}\n`);
  };

  return {
    phase(phaseLabel, phaseTotal = 0) {
      clear();
      label = phaseLabel;
      total = phaseTotal;
      done = 0;
      note = '';
      lastDecile = -1;
      draw(true);
    },
    update(units, phaseNote = note) {
      done = units;
      note = phaseNote;
      draw(false);
    },
    log(text) {
      clear();
      stream.write(`${text}\n`);
      if (tty && label) draw(true);
    },
    end() {
      if (tty && label) {
        done = total;
        draw(true);
        stream.write('\n');
      }
      drawn = false;
      label = '';
    },
  };
}

function elapsed(since: number): string {
  const s = Math.round((performance.now() - since) / 1000);
  return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
}
