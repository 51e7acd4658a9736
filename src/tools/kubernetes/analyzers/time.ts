/** A time from the cluster as ISO 8601, or `unknown` when it is missing or not a time. */
export function isoTime(value: Date | string | number | undefined | null): string {
  if (value === undefined || value === null) return 'unknown';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? 'unknown' : time.toISOString();
}
