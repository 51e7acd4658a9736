import { z } from 'zod';
import { defineTool } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import { prometheusGet } from './http.ts';
import { formatLabels } from './labels.ts';
import { MAX_SERIES, METRICS_SCOPE } from './promql.ts';
import { RulesData, TargetsData } from './schema.ts';

/** Rule and scrape-target health: whether Prometheus's alerts can fire and its data is fresh. */

export const alertRulesTool = defineTool({
  name: 'alert_rules',
  description:
    "Lists Prometheus's alerting and recording rules with their health (ok, err with the evaluation error, unknown) and, for alerting rules, their state (inactive, pending, firing) and how many alerts each has. Rules that fail to evaluate never fire.",
  input: z.object({
    problemsOnly: z
      .boolean()
      .default(false)
      .describe('Only rules that are firing, pending or failing to evaluate'),
  }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const data = RulesData.parse(await prometheusGet(context, '/api/v1/rules', {}));
    const rules = data.groups.flatMap((g) => g.rules.map((rule) => ({ group: g.name, rule })));
    const picked = rules.filter(
      ({ rule }) =>
        !input.problemsOnly ||
        rule.health === 'err' ||
        rule.state === 'firing' ||
        rule.state === 'pending',
    );
    if (picked.length === 0)
      return input.problemsOnly ? 'no rule is firing, pending or failing' : 'no rules loaded';
    const lines = picked.slice(0, MAX_SERIES).map(({ group, rule }) => {
      const state = rule.type === 'alerting' ? ` ${rule.state ?? 'unknown'}` : '';
      const alerts = rule.alerts === undefined ? '' : ` alerts=${rule.alerts.length}`;
      const error = rule.lastError ? ` error: ${rule.lastError}` : '';
      return `${group}/${rule.name} (${rule.type}) health=${rule.health}${state}${alerts}${error}`;
    });
    const left = picked.length - lines.length;
    return [
      `${picked.length} of ${rules.length} rules`,
      ...lines,
      ...(left > 0 ? [`… ${left} more rules left out`] : []),
    ].join('\n');
  },
});

export const scrapeTargetsTool = defineTool({
  name: 'scrape_targets',
  description:
    "Lists Prometheus's scrape targets with their health (up, down, unknown) and last scrape error. A down target means its metrics are stale or missing.",
  input: z.object({
    downOnly: z.boolean().default(false).describe('Only targets that are not up'),
  }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const data = TargetsData.parse(
      await prometheusGet(context, '/api/v1/targets', { state: 'active' }),
    );
    const all = data.activeTargets;
    const picked = all.filter((t) => !input.downOnly || t.health !== 'up');
    if (picked.length === 0)
      return input.downOnly ? `all ${all.length} targets are up` : 'no targets';
    const lines = picked.slice(0, MAX_SERIES).map((t) => {
      const error = t.lastError ? ` error: ${t.lastError}` : '';
      return `${t.scrapePool} ${t.scrapeUrl} health=${t.health} ${formatLabels(t.labels)}${error}`;
    });
    const left = picked.length - lines.length;
    const up = all.filter((t) => t.health === 'up').length;
    return [
      `${up} of ${all.length} targets up`,
      ...lines,
      ...(left > 0 ? [`… ${left} more targets left out`] : []),
    ].join('\n');
  },
});
