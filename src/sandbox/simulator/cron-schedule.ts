/**
 * A CronJob's schedule: the five standard fields (minute hour day-of-month month day-of-week)
 * with `*`, `?`, ranges, steps, lists and names (JAN, MON), or a macro such as `@hourly`, read
 * as the CronJob controller's cron library reads them, in UTC. When both day fields are
 * restricted, a day matching either runs, as in Vixie cron.
 */
export type Schedule = {
  /** The first scheduled minute strictly after `after` (epoch ms), or undefined within 5 years. */
  next(after: number): number | undefined;
};

type Field = { min: number; max: number; names?: readonly string[] };

const MINUTE: Field = { min: 0, max: 59 };
const HOUR: Field = { min: 0, max: 23 };
const DAY: Field = { min: 1, max: 31 };
const MONTH: Field = {
  min: 1,
  max: 12,
  names: ['', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
const WEEKDAY: Field = { min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MINUTE_MS = 60_000;
const HORIZON_MS = 5 * 366 * 86_400_000;

export class ScheduleError extends Error {}

export function parseSchedule(text: string): Schedule {
  const expanded = MACROS[text.trim().toLowerCase()] ?? text.trim();
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  }
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const minutes = values(minute, MINUTE);
  const hours = values(hour, HOUR);
  const days = values(day, DAY);
  const months = values(month, MONTH);
  const weekdays = values(weekday, WEEKDAY);
  if (weekdays.has(7)) weekdays.add(0);
  const anyDay = /^[*?]/.test(day);
  const anyWeekday = /^[*?]/.test(weekday);
  const dayMatches = (date: Date) => {
    const inMonth = days.has(date.getUTCDate());
    const inWeek = weekdays.has(date.getUTCDay());
    return anyDay || anyWeekday ? inMonth && inWeek : inMonth || inWeek;
  };
  return {
    next(after) {
      let t = Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      const end = after + HORIZON_MS;
      while (t <= end) {
        const d = new Date(t);
        if (!months.has(d.getUTCMonth() + 1)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        } else if (!dayMatches(d)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
        } else if (!hours.has(d.getUTCHours())) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
        } else if (!minutes.has(d.getUTCMinutes())) {
          t += MINUTE_MS;
        } else return t;
      }
      return undefined;
    },
  };
}

/** The values one field allows: `*`, `a`, `a-b`, with `/step`, comma-separated. */
function values(text: string, field: Field): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`bad step in "${part}"`);
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = field.min;
      high = field.max === 7 ? 6 : field.max;
    } else {
      const [a = '', b] = range.split('-');
      low = number(a, field);
      high = b === undefined ? (stepText === undefined ? low : field.max) : number(b, field);
    }
    if (low > high) throw new ScheduleError(`beginning of range after end: ${part}`);
    for (let v = low; v <= high; v += step) out.add(v);
  }
  return out;
}

function number(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named > 0 || (named === 0 && field === WEEKDAY) ? named : Number(text);
  if (text === '' || !Number.isInteger(value) || value < field.min || value > field.max) {
    throw new ScheduleError(`value "${text}" out of range [${field.min}, ${field.max}]`);
  }
  return value;
}
