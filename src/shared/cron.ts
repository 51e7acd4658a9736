import { createRequire } from 'node:module';
import { CronExpressionParser } from 'cron-parser';

/**
 * Luxon as cron-parser has it: cron-parser is CommonJS and requires luxon's CommonJS build, while
 * an ES import would get luxon's ES build, a second copy with settings of its own.
 */
const { Settings } = createRequire(import.meta.url)('luxon') as typeof import('luxon');

/**
 * Cron expressions, read with the parser BullMQ's job schedulers use (cron-parser, on luxon).
 *
 * Luxon asks ICU for the system's locale, numbering system and calendar the first time it makes
 * a date, which maps about 6 MiB of ICU's data into the process for good. Cron matching reads
 * only numeric fields, so those three are fixed to what a server without a locale has (en-US,
 * Latin digits, Gregorian) before the first parse. Time zones are unchanged: a schedule without
 * one runs in the process's zone, one with `tz` in that zone.
 */
let fixed = false;

export function parseCron(
  expression: string,
  options?: Parameters<typeof CronExpressionParser.parse>[1],
): ReturnType<typeof CronExpressionParser.parse> {
  if (!fixed) {
    Settings.defaultLocale = 'en-US';
    Settings.defaultNumberingSystem = 'latn';
    Settings.defaultOutputCalendar = 'gregory';
    fixed = true;
  }
  return CronExpressionParser.parse(expression, options);
}
