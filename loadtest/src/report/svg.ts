/** Minimal SVG line and bar charts for the self-contained HTML report (no scripts, no CDN). */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

const W = 640;
const H = 260;
const PAD = { l: 56, r: 16, t: 16, b: 36 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

/** A line chart; `xFmt` labels x ticks (e.g. percentile labels on a log axis). */
export function lineChart(opts: {
  title: string;
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  xFmt?: (x: number) => string;
}): string {
  const xs = opts.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = opts.series.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const y1 = niceMax(ys.length ? Math.max(...ys) : 1);
  const sx = (x: number): number => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (y: number): number => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  const fmt = opts.xFmt ?? ((x: number) => String(Math.round(x * 100) / 100));
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = (y1 * i) / 4;
    grid.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`);
    grid.push(
      `<text x="${PAD.l - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${esc(String(Math.round(y * 100) / 100))}</text>`,
    );
    const x = x0 + ((x1 - x0) * i) / 4;
    grid.push(
      `<text x="${sx(x)}" y="${H - PAD.b + 16}" text-anchor="middle" font-size="11">${esc(fmt(x))}</text>`,
    );
  }
  const lines = opts.series.map((s, i) => {
    const d = s.points
      .map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
      .join(' ');
    return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length] ?? '#000'}" stroke-width="1.6"/>`;
  });
  const legend = opts.series.map(
    (s, i) =>
      `<rect x="${PAD.l + 8 + i * 120}" y="${PAD.t}" width="10" height="10" fill="${COLORS[i % COLORS.length] ?? '#000'}"/><text x="${PAD.l + 22 + i * 120}" y="${PAD.t + 9}" font-size="11">${esc(s.name)}</text>`,
  );
  return `<figure><figcaption>${esc(opts.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
${grid.join('\n')}
<text x="${W / 2}" y="${H - 4}" text-anchor="middle" font-size="11">${esc(opts.xLabel)}</text>
<text x="12" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${H / 2})">${esc(opts.yLabel)}</text>
${lines.join('\n')}
${legend.join('\n')}
</svg></figure>`;
}

/** Grouped bars: one group per label, one bar per series. */
export function barChart(opts: {
  title: string;
  labels: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  yLabel: string;
}): string {
  const max = niceMax(Math.max(1, ...opts.series.flatMap((s) => s.values)));
  const groupW = (W - PAD.l - PAD.r) / Math.max(1, opts.labels.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, opts.series.length));
  const sy = (y: number): number => H - PAD.b - (y / max) * (H - PAD.t - PAD.b);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = (max * i) / 4;
    parts.push(
      `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/><text x="${PAD.l - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${esc(String(Math.round(y * 100) / 100))}</text>`,
    );
  }
  opts.labels.forEach((label, gi) => {
    const gx = PAD.l + gi * groupW + groupW * 0.1;
    opts.series.forEach((s, si) => {
      const v = s.values[gi] ?? 0;
      parts.push(
        `<rect x="${(gx + si * barW).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(H - PAD.b - sy(v)).toFixed(1)}" fill="${COLORS[si % COLORS.length] ?? '#000'}"><title>${esc(`${label} ${s.name}: ${String(v)}`)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${(gx + (groupW * 0.8) / 2).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle" font-size="10">${esc(label)}</text>`,
    );
  });
  const legend = opts.series.map(
    (s, i) =>
      `<rect x="${PAD.l + 8 + i * 140}" y="${PAD.t}" width="10" height="10" fill="${COLORS[i % COLORS.length] ?? '#000'}"/><text x="${PAD.l + 22 + i * 140}" y="${PAD.t + 9}" font-size="11">${esc(s.name)}</text>`,
  );
  return `<figure><figcaption>${esc(opts.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
${parts.join('\n')}
<text x="12" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${H / 2})">${esc(opts.yLabel)}</text>
${legend.join('\n')}
</svg></figure>`;
}

export { esc };
