/**
 * Daily index names (`<prefix>YYYY-MM-DD`, UTC) and the index list a time window searches. Only the
 * window's days are searched (with `ignore_unavailable`), never `<prefix>*`; whole months and whole years
 * inside the window collapse to `<prefix>YYYY-MM-*` / `<prefix>YYYY-*` so a long window keeps the
 * request line short (OpenSearch refuses request lines over 4 KiB by default).
 */

const DAY_MS = 86_400_000;

/** Index prefixes are configuration, but they end up in URLs and patterns: lowercase, no pattern or path characters. */
export function validateIndexPrefix(prefix: string, what: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,100}$/.test(prefix)) {
    throw new Error(`invalid ${what} ${JSON.stringify(prefix)}: lowercase letters, digits, '.', '_' and '-' only`);
  }
  return prefix;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

export function dayIndex(prefix: string, time: Date): string {
  return `${prefix}${pad(time.getUTCFullYear(), 4)}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}`;
}

/** The daily index a document with this timestamp belongs to (invalid timestamps are refused). */
export function indexForTimestamp(prefix: string, timestamp: string): string {
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime())) throw new Error(`invalid timestamp ${JSON.stringify(timestamp)}`);
  return dayIndex(prefix, time);
}

function utcDay(time: Date): number {
  return Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
}

/**
 * Indices holding documents with timestamps in [start, end] (both days inclusive), in date order.
 * A window ending exactly at midnight does not search the day that starts then.
 */
export function windowIndices(prefix: string, start: Date, end: Date): string[] {
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new Error('invalid time window');
  if (end.getTime() < start.getTime()) return [];
  const lastInstant = end.getTime() > start.getTime() ? end.getTime() - 1 : end.getTime();
  const firstDay = utcDay(start);
  const lastDay = utcDay(new Date(lastInstant));
  const indices: string[] = [];
  let day = firstDay;
  while (day <= lastDay) {
    const date = new Date(day);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    const yearEnd = Date.UTC(year + 1, 0, 1) - DAY_MS;
    const monthEnd = Date.UTC(year, month + 1, 1) - DAY_MS;
    if (month === 0 && date.getUTCDate() === 1 && yearEnd <= lastDay) {
      indices.push(`${prefix}${pad(year, 4)}-*`);
      day = yearEnd + DAY_MS;
    } else if (date.getUTCDate() === 1 && monthEnd <= lastDay) {
      indices.push(`${prefix}${pad(year, 4)}-${pad(month + 1)}-*`);
      day = monthEnd + DAY_MS;
    } else {
      indices.push(dayIndex(prefix, date));
      day += DAY_MS;
    }
  }
  return indices;
}
