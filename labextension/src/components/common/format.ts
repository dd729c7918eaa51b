/** Formatting shared by the tables. */

const NUMBER = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 5 });
const COUNT = new Intl.NumberFormat();

/** A metric value: 5 significant digits, NaN (null on the wire) as "NaN", missing as "". */
export function formatMetric(value: number | null | undefined, present = true): string {
  if (value === null || value === undefined) {
    return present ? 'NaN' : '';
  }
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) {
    return value.toExponential(3);
  }
  return NUMBER.format(value);
}

export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** `2024-05-01 13:45` in local time. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) {
    return '';
  }
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

export function formatFullTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toLocaleString();
}

/** "1–100 of 10,000 runs". */
export function formatRange(first: number, count: number, total: number | null | undefined): string {
  if (count === 0) {
    return total === 0 || total === null || total === undefined
      ? 'No runs'
      : `0 of ${formatCount(total)} runs`;
  }
  const range = `${formatCount(first + 1)}–${formatCount(first + count)}`;
  return total === null || total === undefined
    ? `${range} runs`
    : `${range} of ${formatCount(total)} ${total === 1 ? 'run' : 'runs'}`;
}

export function classes(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}

/** A duration in seconds: `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  }
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** `13:45` today, else `05-01 13:45` (local time), for narrow columns. */
export function formatShortTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === new Date().toDateString()
    ? time
    : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
