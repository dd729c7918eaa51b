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
