import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { type Intervals, SHIPPED_RULES } from '../../src/runtime/local-monitoring.ts';

/**
 * The on-call loop through a real Prometheus and Alertmanager, quickened for tests and
 * benchmarks: the shipped rules with their expressions' range windows and their `for` waits cut
 * from minutes to seconds (`[5m]` is `[5s]`), scraped and evaluated every second, and grouped,
 * sent and resent by the Alertmanager within a second or two. The shipped files stay as they are.
 */
export const QUICK_INTERVALS: Intervals = {
  scrape: '1s',
  evaluation: '1s',
  groupWait: '1s',
  groupInterval: '2s',
  repeatInterval: '1h',
  resendDelay: '1s',
};

/** How long a rule waits, quickened; unchanged for the range windows (minutes become seconds). */
export const QUICK_FOR = '3s';

type Rules = { groups: { rules: { expr: string; for?: string }[] }[] };

export function quickRules(file = SHIPPED_RULES): string {
  const rules = parse(readFileSync(file, 'utf8')) as Rules;
  for (const group of rules.groups)
    for (const rule of group.rules) {
      rule.expr = rule.expr.replace(/\[(\d+)m\]/g, '[$1s]');
      if (rule.for !== undefined) rule.for = QUICK_FOR;
    }
  return stringify(rules);
}

type FiringAlert = { labels: Record<string, string>; state: string; activeAt?: string };

/** Prometheus's alerts now (pending and firing). */
export async function prometheusAlerts(url: string): Promise<FiringAlert[]> {
  const response = await fetch(`${url}/api/v1/alerts`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { data: { alerts: FiringAlert[] } };
  return body.data.alerts;
}
