import { formatMetric } from '../common/format';

/** A feature's value (min, max, a sample cell): numbers with 5 significant digits, anything else as text. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : formatMetric(value); // ids stay ungrouped
  }
  return String(value);
}

/** A duration for freshness columns: `45s`, `12m`, `5h`, `2d`, `1.5d`. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '';
  }
  const s = Math.max(0, seconds);
  if (s < 60) {
    return `${Math.round(s)}s`;
  }
  if (s < 3600) {
    return `${Math.round(s / 60)}m`;
  }
  if (s < 86400) {
    return `${Math.round(s / 360) / 10}h`;
  }
  return `${Math.round(s / 8640) / 10}d`;
}
