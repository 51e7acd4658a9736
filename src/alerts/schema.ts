import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * Only the fields the product relies on are declared; everything else is kept as sent.
 */
/**
 * Labels and annotations: a plain object of strings. Checked by one loop rather than as a
 * `z.record`, which runs a schema on every key and value and builds a copy: a notification has
 * dozens of them, and this check is most of what validating one costs
 * (`npm run bench webhook`). The object is kept as parsed; `boundPayload` copies what is kept.
 */
const Labels = z.custom<Record<string, string>>(isStringMap, {
  error: 'must be an object whose values are all strings',
});

function isStringMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  }
  return true;
}

/** RFC 3339, as Alertmanager writes it; anything longer or looser is refused, not parsed. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const Timestamp = z
  .string()
  .refine((value) => RFC_3339.test(value) && !Number.isNaN(Date.parse(value)), {
    message: 'must be an RFC 3339 timestamp',
  });

const AlertStatus = z.enum(['firing', 'resolved'], {
  error: 'must be "firing" or "resolved"',
});

export const Alert = z.looseObject({
  status: AlertStatus,
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: Timestamp,
  endsAt: Timestamp.optional(),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1, 'must not be empty'),
});
export type Alert = z.infer<typeof Alert>;

export const AlertmanagerPayload = z.looseObject({
  version: z.literal('4', { error: 'must be "4"' }),
  groupKey: z.string().min(1, 'must not be empty'),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: AlertStatus,
  receiver: z.string().default(''),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(Alert).min(1, 'must hold at least one alert').max(10_000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;
