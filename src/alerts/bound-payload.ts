import { createHash } from 'node:crypto';
import type { Alert, AlertmanagerPayload } from './schema.ts';

/**
 * What a notification may keep in Redis. The body limit alone would let anyone who reaches the
 * webhook store a megabyte per post; these bounds keep every job small whatever is sent, while a
 * real alert (a dozen labels, a paragraph of description) passes untouched.
 */
export const PAYLOAD_BOUNDS = {
  /** Characters of a label or annotation value; the rest is replaced by a note. */
  value: 2_000,
  /** Labels or annotations kept per map; names longer than `name` are dropped. */
  entries: 40,
  name: 100,
  /** Longer URLs are dropped: a cut URL leads nowhere, and chat refuses links this long anyway. */
  url: 2_000,
  text: 200,
  /** Serialised size of the whole notification; alerts past it are dropped and counted. */
  bytes: 512 * 1024,
  /** What every value is cut to if one alert alone is still over `bytes`. */
  tightValue: 200,
  /** Characters of a group key and of an alert's fingerprint (Alertmanager's are far shorter). */
  groupKey: 1_000,
  fingerprint: 200,
} as const;

type BoundedPayload = {
  payload: AlertmanagerPayload;
  /** Values trimmed, labels or annotations dropped, alerts dropped. */
  trimmed: { values: number; entries: number; alerts: number };
};

/**
 * The notification as it is kept: only the fields of Alertmanager's webhook (version 4), long
 * values trimmed with a note saying by how much, and alerts past the size budget dropped and
 * added to `truncatedAlerts`, as Alertmanager's own `max_alerts` does. `bodyBytes`, the size of
 * the request body it was parsed from, spares measuring a payload that cannot be over budget.
 */
export function boundPayload(payload: AlertmanagerPayload, bodyBytes?: number): BoundedPayload {
  let counts = { values: 0, entries: 0, alerts: 0 };
  const bound = (limit: number, trimmed: BoundedPayload['trimmed']) => {
    const map = (labels: Record<string, string>) => boundMap(labels, limit, trimmed);
    return {
      version: payload.version,
      groupKey: boundKey(payload.groupKey, PAYLOAD_BOUNDS.groupKey),
      truncatedAlerts: payload.truncatedAlerts,
      status: payload.status,
      receiver: trimValue(payload.receiver, PAYLOAD_BOUNDS.text, trimmed),
      groupLabels: map(payload.groupLabels),
      commonLabels: map(payload.commonLabels),
      commonAnnotations: map(payload.commonAnnotations),
      externalURL: boundUrl(payload.externalURL, trimmed),
      alerts: payload.alerts.map((alert) => boundAlert(alert, map, trimmed)),
    } satisfies AlertmanagerPayload;
  };
  let bounded: AlertmanagerPayload = bound(PAYLOAD_BOUNDS.value, counts);
  if (counts.values === 0 && fitsUnmeasured(bodyBytes, payload.alerts.length))
    return { payload: bounded, trimmed: counts };
  if (sizeOf(bounded) > PAYLOAD_BOUNDS.bytes) {
    bounded = dropAlertsPastBudget(bounded);
    counts.alerts = payload.alerts.length - bounded.alerts.length;
  }
  if (sizeOf(bounded) > PAYLOAD_BOUNDS.bytes) {
    // One alert alone is over the budget: every value is cut short instead.
    const kept = bounded.alerts.length;
    const tight = { values: 0, entries: 0, alerts: counts.alerts };
    bounded = {
      ...bound(PAYLOAD_BOUNDS.tightValue, tight),
      truncatedAlerts: bounded.truncatedAlerts,
    };
    bounded.alerts = bounded.alerts.slice(0, kept);
    counts = tight;
  }
  return { payload: bounded, trimmed: counts };
}

function boundAlert(
  alert: Alert,
  map: (labels: Record<string, string>) => Record<string, string>,
  trimmed: BoundedPayload['trimmed'],
): Alert {
  const out: Alert = {
    status: alert.status,
    labels: map(alert.labels),
    annotations: map(alert.annotations),
    startsAt: alert.startsAt,
    generatorURL: boundUrl(alert.generatorURL, trimmed),
    fingerprint: boundKey(alert.fingerprint, PAYLOAD_BOUNDS.fingerprint),
  };
  if (alert.endsAt !== undefined) out.endsAt = alert.endsAt;
  return out;
}

/**
 * A key (a group's, an alert's fingerprint) kept short: a long one keeps its start and a hash of
 * the whole, so two long keys that differ stay different, and what is stored stays small.
 */
function boundKey(key: string, limit: number): string {
  if (key.length <= limit) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${key.slice(0, limit - 40)}…#${hash}`;
}

function boundMap(
  labels: Record<string, string>,
  limit: number,
  trimmed: BoundedPayload['trimmed'],
): Record<string, string> {
  const out: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(labels)) {
    if (kept >= PAYLOAD_BOUNDS.entries || name.length > PAYLOAD_BOUNDS.name) {
      trimmed.entries++;
      continue;
    }
    out[name] = trimValue(value, limit, trimmed);
    kept++;
  }
  return out;
}

/** A long value keeps its start and says how much was cut, so a reader knows it is not whole. */
function trimValue(
  value: string,
  limit: number,
  trimmed: { values: number } = { values: 0 },
): string {
  if (value.length <= limit) return value;
  trimmed.values++;
  const cut = value.length - limit;
  return `${value.slice(0, limit)}… [trimmed ${cut.toLocaleString('en-US')} characters]`;
}

function boundUrl(url: string, trimmed: BoundedPayload['trimmed']): string {
  if (url.length <= PAYLOAD_BOUNDS.url) return url;
  trimmed.values++;
  return '';
}

/** Keeps the alerts that fit the budget, the first always; the others count as truncated. */
function dropAlertsPastBudget(payload: AlertmanagerPayload): AlertmanagerPayload {
  const base = sizeOf({ ...payload, alerts: [] });
  let used = base;
  let kept = 0;
  for (const alert of payload.alerts) {
    const size = sizeOf(alert) + 1;
    if (kept > 0 && used + size > PAYLOAD_BOUNDS.bytes) break;
    used += size;
    kept++;
  }
  const dropped = payload.alerts.length - kept;
  return {
    ...payload,
    alerts: payload.alerts.slice(0, kept),
    truncatedAlerts: payload.truncatedAlerts + dropped,
  };
}

/**
 * Whether a payload parsed from a body of `bodyBytes`, nothing in it trimmed, is within the budget
 * without serialising it to see. Serialised again, each byte of the body gives at most three (an
 * invalid UTF-8 byte is read as U+FFFD; escapes are no longer than in the body), and the schema's
 * defaults add at most a few dozen bytes per alert and a few hundred for the group.
 */
function fitsUnmeasured(bodyBytes: number | undefined, alerts: number): boolean {
  if (bodyBytes === undefined) return false;
  return 3 * bodyBytes + 64 * alerts + 1_024 <= PAYLOAD_BOUNDS.bytes;
}

function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
