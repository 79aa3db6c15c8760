/** A progress line: events done, rate, ETA. Pure so it can be tested without a terminal. */
export function progressLine(p: {
  read: number;
  total: number | null;
  written: number;
  elapsedMs: number;
  width?: number;
}): string {
  const secs = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.read / secs;
  const rateText = `${Math.round(rate).toLocaleString('en-US')} ev/s`;
  const done = `${p.read.toLocaleString('en-US')}`;
  if (p.total === null) return `follow ${done} events  ${rateText}  stored ${String(p.written)}`;
  const total = Math.max(p.total, 1);
  const frac = Math.min(1, p.read / total);
  const width = p.width ?? 24;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const remaining = Math.max(0, p.total - p.read);
  const eta = rate > 0 ? formatDuration((remaining / rate) * 1000) : '?';
  return `[${bar}] ${(frac * 100).toFixed(1)}%  ${done}/${p.total.toLocaleString('en-US')} events  ${rateText}  ETA ${eta}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${String(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)}m${String(s % 60).padStart(2, '0')}s`;
  return `${String(Math.floor(m / 60))}h${String(m % 60).padStart(2, '0')}m`;
}
