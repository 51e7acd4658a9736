import { z } from 'zod';
import { defineTool } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import { alertmanagerGet } from './http.ts';
import { formatLabels } from './labels.ts';
import { MAX_SERIES, METRICS_SCOPE } from './promql.ts';
import { GettableAlerts, GettableSilences } from './schema.ts';

/** Reads from Alertmanager's API v2: the alerts it holds and its silences. */

const Filter = z
  .array(z.string().min(1).max(200))
  .max(10)
  .default([])
  .describe('Label matchers such as alertname="KubePodCrashLooping" or namespace=~"shop.*"');

export const activeAlertsTool = defineTool({
  name: 'active_alerts',
  description:
    'Lists the alerts Alertmanager holds now, with their labels, summary, since when, and whether they are active, silenced or inhibited.',
  input: z.object({
    filter: Filter,
    includeSilenced: z
      .boolean()
      .default(true)
      .describe('Include alerts that a silence or an inhibition suppresses'),
  }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const flag = String(input.includeSilenced);
    const alerts = GettableAlerts.parse(
      await alertmanagerGet(context, '/api/v2/alerts', {
        active: 'true',
        silenced: flag,
        inhibited: flag,
        filter: input.filter,
      }),
    );
    if (alerts.length === 0) return 'no alerts';
    const lines = alerts.slice(0, MAX_SERIES).map((a) => {
      const summary = a.annotations?.summary ?? a.annotations?.description;
      const by = [...(a.status.silencedBy ?? []), ...(a.status.inhibitedBy ?? [])];
      const suppressed = by.length > 0 ? ` by ${by.join(', ')}` : '';
      return `${a.status.state}${suppressed} since ${a.startsAt} ${formatLabels(a.labels)}${summary === undefined ? '' : `\n  ${summary.slice(0, 300)}`}`;
    });
    const left = alerts.length - lines.length;
    return [
      `${alerts.length} alerts`,
      ...lines,
      ...(left > 0 ? [`… ${left} more alerts left out; filter by label`] : []),
    ].join('\n');
  },
});

export const silencesTool = defineTool({
  name: 'silences',
  description:
    "Lists Alertmanager's silences: matchers, who created them, why, and when they end. Expired ones are left out unless asked for.",
  input: z.object({
    filter: Filter,
    includeExpired: z.boolean().default(false).describe('Include expired silences'),
  }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const all = GettableSilences.parse(
      await alertmanagerGet(context, '/api/v2/silences', { filter: input.filter }),
    );
    const silences = all.filter((s) => input.includeExpired || s.status.state !== 'expired');
    if (silences.length === 0) return `no silences${input.includeExpired ? '' : ' in effect'}`;
    const lines = silences.slice(0, MAX_SERIES).map((s) => {
      const matchers = s.matchers
        .map(
          (m) =>
            `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}${JSON.stringify(m.value.slice(0, 120))}`,
        )
        .join(', ');
      return `${s.id} ${s.status.state} {${matchers}} ${s.startsAt} → ${s.endsAt} by ${s.createdBy.slice(0, 80)}: ${s.comment.slice(0, 200)}`;
    });
    const left = silences.length - lines.length;
    return [
      `${silences.length} silences`,
      ...lines,
      ...(left > 0 ? [`… ${left} more silences left out`] : []),
    ].join('\n');
  },
});
