import type { Row, WindowSize } from './api';
import { windowSeconds } from './time';

export interface ChartData {
  /** Window starts, Unix seconds. */
  x: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
  /** Groups left out of the chart (only the largest are drawn). */
  hidden: number;
}

const maxSeries = 8;

export const additive = (aggregation: string): boolean => aggregation === 'SUM' || aggregation === 'COUNT';

/** The label of a row's group: a groupBy value, or its subject when split by subject. */
export function groupOf(row: Row, key: string | null): string {
  if (!key) return 'Total';
  const value = key === 'subject' ? row.subject : row.groupBy[key];
  return value === undefined || value === null || value === '' ? '(none)' : value;
}

/**
 * Rows of a windowed query as chart series: one per group (the largest eight), windows on a regular
 * grid for minute and hour windows (a window without events is 0 for sums and counts, a gap
 * otherwise), and the windows that have data for days and months (calendar windows in a time zone).
 */
export function toChart(rows: Row[], key: string | null, window: WindowSize, aggregation: string, from: Date): ChartData {
  const starts = new Set<number>();
  const byGroup = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const start = Date.parse(row.windowStart) / 1000;
    starts.add(start);
    const group = groupOf(row, key);
    const values = byGroup.get(group) ?? new Map<number, number>();
    values.set(start, (values.get(start) ?? 0) + row.value);
    byGroup.set(group, values);
  }

  let x = Array.from(starts).sort((a, b) => a - b);
  const step = windowSeconds[window];
  if (step && x.length > 0) {
    const first = Math.min(x[0], x[0] - Math.floor((x[0] - from.getTime() / 1000) / step) * step);
    const last = Math.max(x[x.length - 1], Math.floor(Date.now() / 1000 / step) * step);
    x = [];
    for (let t = first; t <= last; t += step) x.push(t);
  }

  const totals = Array.from(byGroup.entries()).map(([label, values]) => ({
    label,
    values,
    total: Array.from(values.values()).reduce((sum, value) => sum + value, 0),
  }));
  totals.sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  const empty = additive(aggregation) ? 0 : null;
  const series = totals.slice(0, maxSeries).map(({ label, values }) => ({
    label,
    values: x.map((t) => values.get(t) ?? empty),
  }));
  return { x, series, hidden: Math.max(0, totals.length - maxSeries) };
}
