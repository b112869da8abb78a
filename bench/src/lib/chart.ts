/**
 * Self-made SVG line charts for the results (no dependency): one or more panels stacked vertically, each with
 * labelled axes, nice ticks, a legend, optional dashed limit lines, and gaps where a value could not be
 * measured (null). `renderChart({ title, subtitle, panels: [{ title, xLabel, yLabel, x, series, limits }] })`,
 * series `{ name, values }` (values aligned with x), limits `{ y, label }`.
 */

const WIDTH = 820;
const PANEL_HEIGHT = 250;
const MARGIN = { left: 72, right: 180, top: 34, bottom: 48 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** A line of a panel: values aligned with the panel's x (null: not measured). */
export interface ChartSeries {
  name: string;
  values: readonly (number | null | undefined)[];
  color?: string;
}

/** One panel of a chart. */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  x: readonly number[];
  series: ChartSeries[];
  limits?: { y: number; label: string }[];
}

const esc = (s: string | number): string =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10000) return `${Math.round(v / 1000)}k`;
  if (a >= 100) return String(Math.round(v));
  if (a >= 1) return String(Number(v.toPrecision(3)));
  return String(Number(v.toPrecision(2)));
}

function panel(p: ChartPanel, top: number): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const xs = p.x;
  const finite = (v: number | null | undefined): v is number =>
    v !== null && v !== undefined && Number.isFinite(v);
  const allY = p.series.flatMap((s) => s.values.filter(finite)).concat((p.limits ?? []).map((l) => l.y));
  const xTicks = xs.length <= 12 ? [...new Set(xs)] : niceTicks(Math.min(...xs), Math.max(...xs));
  const xLo = Math.min(...xs, ...xTicks);
  const xHi = Math.max(...xs, ...xTicks);
  const yTicks = niceTicks(0, allY.length > 0 ? Math.max(...allY) : 1);
  const yHi = yTicks[yTicks.length - 1];
  const sx = (v: number): number => x0 + (xHi === xLo ? w / 2 : ((v - xLo) / (xHi - xLo)) * w);
  const sy = (v: number): number => y0 + h - (v / yHi) * h;
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${top + 20}" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x0 - 6}" y="${sy(t) + 4}" font-size="11" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${y0 + h}" y2="${y0 + h + 4}" stroke="#333"/>`);
    out.push(`<text x="${sx(t)}" y="${y0 + h + 16}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y0 + h}" stroke="#333"/>`);
  out.push(
    `<text x="${x0 + w / 2}" y="${y0 + h + 36}" font-size="12" text-anchor="middle">${esc(p.xLabel)}</text>`,
  );
  const yMid = y0 + h / 2;
  out.push(
    `<text x="${x0 - 52}" y="${yMid}" font-size="12" text-anchor="middle" transform="rotate(-90 ${x0 - 52} ${yMid})">${esc(p.yLabel)}</text>`,
  );
  for (const l of p.limits ?? []) {
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${sy(l.y)}" y2="${sy(l.y)}" stroke="#d62728" stroke-dasharray="5 4"/>`,
    );
    out.push(
      `<text x="${x0 + w - 4}" y="${sy(l.y) - 4}" font-size="10" fill="#d62728" text-anchor="end">${esc(l.label)}</text>`,
    );
  }
  p.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    let path = '';
    let pen = false;
    s.values.forEach((v, j) => {
      if (!finite(v)) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${sx(xs[j] ?? 0).toFixed(1)},${sy(v).toFixed(1)} `;
      pen = true;
    });
    if (path) out.push(`<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (xs.length <= 40) {
      s.values.forEach((v, j) => {
        if (finite(v)) out.push(`<circle cx="${sx(xs[j] ?? 0)}" cy="${sy(v)}" r="3" fill="${color}"/>`);
      });
    }
    const ly = y0 + 8 + i * 18;
    out.push(`<rect x="${x0 + w + 16}" y="${ly - 8}" width="14" height="4" fill="${color}"/>`);
    out.push(`<text x="${x0 + w + 36}" y="${ly - 2}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** The SVG text of a chart of `panels`, stacked, under `title` (and `subtitle`, e.g. the machine). */
export function renderChart({
  title,
  subtitle = '',
  panels,
}: {
  title: string;
  subtitle?: string;
  panels: ChartPanel[];
}): string {
  const head = subtitle ? 52 : 36;
  const height = head + panels.length * PANEL_HEIGHT;
  const body = panels.map((p, i) => panel(p, head + i * PANEL_HEIGHT)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>
${subtitle ? `<text x="${MARGIN.left}" y="42" font-size="11" fill="#555">${esc(subtitle)}</text>` : ''}
${body}
</svg>
`;
}
