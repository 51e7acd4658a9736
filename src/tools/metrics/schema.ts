import { z } from 'zod';

/** Prometheus's and Alertmanager's API shapes, only the fields the tools use. */

export const PrometheusEnvelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

export const Labels = z.record(z.string(), z.string());
export type Labels = z.infer<typeof Labels>;

/** `[unix seconds, "value"]`: values are strings so NaN and ±Inf survive JSON. */
const Sample = z.tuple([z.number(), z.string()]);

export const QueryData = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: Labels, value: Sample })),
  }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Labels, values: z.array(Sample) })),
  }),
  z.object({ resultType: z.literal('scalar'), result: Sample }),
  z.object({ resultType: z.literal('string'), result: Sample }),
]);

export const RangeData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: Labels, values: z.array(Sample) })),
});

export const RulesData = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      file: z.string().optional(),
      rules: z.array(
        z.object({
          type: z.enum(['alerting', 'recording']),
          name: z.string(),
          query: z.string(),
          health: z.string(),
          lastError: z.string().optional(),
          state: z.string().optional(),
          alerts: z.array(z.object({ labels: Labels, state: z.string() })).optional(),
        }),
      ),
    }),
  ),
});

export const TargetsData = z.object({
  activeTargets: z.array(
    z.object({
      scrapePool: z.string(),
      scrapeUrl: z.string(),
      labels: Labels,
      health: z.string(),
      lastError: z.string().optional(),
      lastScrape: z.string().optional(),
    }),
  ),
});

export const GettableAlerts = z.array(
  z.object({
    labels: Labels,
    annotations: Labels.optional(),
    startsAt: z.string(),
    status: z.object({
      state: z.string(),
      silencedBy: z.array(z.string()).optional(),
      inhibitedBy: z.array(z.string()).optional(),
    }),
  }),
);

export const GettableSilence = z.object({
  id: z.string(),
  status: z.object({ state: z.string() }),
  matchers: z.array(
    z.object({
      name: z.string(),
      value: z.string(),
      isRegex: z.boolean(),
      isEqual: z.boolean().optional(),
    }),
  ),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
});
export type GettableSilence = z.infer<typeof GettableSilence>;

export const GettableSilences = z.array(GettableSilence);
