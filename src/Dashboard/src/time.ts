import type { WindowSize } from './api';

export interface RangeChoice {
  id: string;
  label: string;
  windows: WindowSize[];
  preferred: WindowSize;
}

/** Ranges offered with the window sizes that give a readable chart (at most ~1,500 windows). */
export const ranges: RangeChoice[] = [
  { id: '1h', label: 'Last hour', windows: ['MINUTE', 'HOUR'], preferred: 'MINUTE' },
  { id: '24h', label: 'Last 24 hours', windows: ['MINUTE', 'HOUR', 'DAY'], preferred: 'HOUR' },
  { id: '7d', label: 'Last 7 days', windows: ['HOUR', 'DAY'], preferred: 'HOUR' },
  { id: 'period', label: 'This billing period', windows: ['HOUR', 'DAY'], preferred: 'DAY' },
  { id: '12m', label: 'Last 12 months', windows: ['DAY', 'MONTH'], preferred: 'MONTH' },
];

export const windowLabels: Record<WindowSize, string> = { MINUTE: 'Minute', HOUR: 'Hour', DAY: 'Day', MONTH: 'Month' };

export const windowSeconds: Partial<Record<WindowSize, number>> = { MINUTE: 60, HOUR: 3600 };

/** Billing periods are calendar months in UTC (the live bill's period). */
export function periodStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export function rangeStart(id: string, now: Date): Date {
  const hour = 3600 * 1000;
  switch (id) {
    case '1h':
      return new Date(now.getTime() - hour);
    case '7d':
      return new Date(now.getTime() - 7 * 24 * hour);
    case 'period':
      return periodStart(now);
    case '12m':
      return new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth() + 1, 1));
    default:
      return new Date(now.getTime() - 24 * hour);
  }
}

/** Minute-aligned, so that a stream reopened within the same minute asks the same question. */
export function iso(date: Date): string {
  const copy = new Date(date.getTime());
  copy.setUTCSeconds(0, 0);
  return copy.toISOString().replace('.000Z', 'Z');
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return Array.from(new Set(['UTC', current, ...zones]));
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

export function formatMoney(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);
  } catch {
    return `${formatNumber(value)} ${currency}`;
  }
}

/** A unit price keeps its precision (0.002 USD stays $0.002). */
export function formatUnitPrice(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 9 }).format(value);
  } catch {
    return `${formatNumber(value)} ${currency}`;
  }
}

export function formatInstant(iso: string | Date, timeZone: string, window: WindowSize = 'MINUTE'): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const options: Intl.DateTimeFormatOptions =
    window === 'MONTH'
      ? { year: 'numeric', month: 'short', timeZone }
      : window === 'DAY'
        ? { year: 'numeric', month: 'short', day: 'numeric', timeZone }
        : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
  return new Intl.DateTimeFormat('en-US', options).format(date);
}

export function formatClock(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }).format(date);
}
