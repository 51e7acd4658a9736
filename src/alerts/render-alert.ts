import {
  type Button,
  type ChatMessageInput,
  clip,
  type Field,
  fitMessage,
  type Link,
  type Section,
  type Tone,
} from '../chat/message.ts';
import { groupId } from './alert-groups.ts';
import { formatDuration, formatInstant } from './format-duration.ts';
import type { Alert, AlertmanagerPayload } from './schema.ts';

/** Labels with a field of their own in the message. */
const SHOWN_APART = new Set(['alertname', 'severity', 'namespace']);
/** Labels that name the Kubernetes object in trouble, shown first and in this order. */
const OBJECT_LABELS = [
  'cluster',
  'node',
  'deployment',
  'statefulset',
  'daemonset',
  'job_name',
  'cronjob',
  'pod',
  'container',
  'persistentvolumeclaim',
  'horizontalpodautoscaler',
  'reason',
  'phase',
];
/** Labels added by the scrape path, which say nothing about the problem. */
const NOISE = new Set([
  'prometheus',
  'prometheus_replica',
  'endpoint',
  'metrics_path',
  'uid',
  'id',
]);
/** Scrape-target labels: noise when an object label says what is wrong, the only clue otherwise. */
const TARGET_LABELS = new Set(['instance', 'job', 'service']);

const MAX_SECTIONS = 10;
const MAX_LABEL_FIELDS = 6;
/** Alertmanager's zero time, which it sends as `endsAt` for alerts still firing. */
const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Renders one Alertmanager notification (an alert group) as one neutral chat message. */
export function renderAlertGroup(payload: AlertmanagerPayload, now: Date): ChatMessageInput {
  const alerts = payload.alerts;
  const common = payload.commonLabels;
  const alertname =
    common.alertname ?? payload.groupLabels.alertname ?? alerts[0]?.labels.alertname ?? 'Alert';
  const firingCount = alerts.filter((alert) => alert.status === 'firing').length;
  const status = payload.status === 'firing' ? 'Firing' : 'Resolved';
  const count = alerts.length + payload.truncatedAlerts;
  const headline =
    count > 1 ? `${status}: ${alertname} (${count} alerts)` : `${status}: ${alertname}`;
  const tone = toneOf(payload.status, common.severity);
  const summary = summaryOf(payload.commonAnnotations);

  if (alerts.length === 1 && alerts[0] !== undefined) {
    const alert = alerts[0];
    const fields: Field[] = [
      ...severityAndNamespace(alert.labels),
      durationField(alert, now),
      ...labelsThatMatter(alert.labels, {}).slice(0, MAX_LABEL_FIELDS),
    ];
    return fitMessage({
      headline,
      tone,
      text: describe(alert.annotations) ?? summary ?? `${alertname} is ${alert.status}`,
      fields,
      links: linksOf(alert, payload.externalURL, silenceLabels(payload)),
      buttons: silenceButton(payload),
      footer: footerOf(payload),
    });
  }

  const fields: Field[] = [...severityAndNamespace(common)];
  if (common.severity === undefined)
    fields.unshift({ label: 'Severity', value: mixed(alerts, 'severity') });
  if (common.namespace === undefined)
    fields.push({ label: 'Namespace', value: mixed(alerts, 'namespace') });
  fields.push({
    label: 'Alerts',
    value: `${firingCount} firing, ${alerts.length - firingCount} resolved`,
  });
  // The group has been firing since its oldest alert that still fires.
  const firing = alerts.filter((alert) => alert.status === 'firing');
  const pool = firing.length > 0 ? firing : alerts;
  const earliest = pool.reduce((a, b) =>
    Date.parse(a.startsAt) <= Date.parse(b.startsAt) ? a : b,
  );
  fields.push(durationField(earliest, now));

  const sections = alerts
    .slice(0, MAX_SECTIONS)
    .map((alert) => sectionOf(alert, common, summary, now));
  const hidden = alerts.length - sections.length + payload.truncatedAlerts;
  const more =
    hidden > 0
      ? `${hidden} more alert${hidden === 1 ? '' : 's'} not shown${payload.truncatedAlerts > 0 ? ` (${payload.truncatedAlerts} truncated)` : ''}`
      : undefined;
  return fitMessage({
    headline,
    tone,
    text: summary ?? `${alerts.length} ${alertname} alerts`,
    fields,
    sections,
    links: [
      { label: 'Runbook', url: payload.commonAnnotations.runbook_url ?? '' },
      { label: 'Alertmanager', url: payload.externalURL },
      { label: 'Silence', url: silenceUrl(payload.externalURL, silenceLabels(payload)) },
    ],
    buttons: silenceButton(payload),
    footer: [more, footerOf(payload)].filter((part) => part !== undefined).join(' · '),
  });
}

/**
 * While the group fires, a button proposing a 2-hour silence of it: the click makes a card that
 * the channel's approvers decide, never a silence by itself. None when no label could match it.
 */
function silenceButton(payload: AlertmanagerPayload): Button[] {
  if (payload.status !== 'firing' || Object.keys(matchableLabels(payload)).length === 0) return [];
  return [
    { action: 'silence', label: 'Silence 2h', value: groupId(payload.groupKey), style: 'default' },
  ];
}

/** The labels a silence of the group matches: those a label matcher can name. */
export function matchableLabels(
  payload: Pick<AlertmanagerPayload, 'groupLabels' | 'commonLabels'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(silenceLabels(payload)).filter(
      ([name, value]) => LABEL_NAME.test(name) && !name.startsWith('__') && value !== '',
    ),
  );
}

function sectionOf(
  alert: Alert,
  common: Record<string, string>,
  commonSummary: string | undefined,
  now: Date,
): Section {
  const labels = labelsThatMatter(alert.labels, common);
  const own = summaryOf(alert.annotations);
  const section: Section = {
    title:
      labels.length > 0
        ? labels.map((l) => `${l.label}=${l.value}`).join(' ')
        : (alert.labels.alertname ?? 'alert'),
    fields: [{ label: 'Status', value: alert.status }, durationField(alert, now)],
    links: [{ label: 'Source', url: alert.generatorURL }],
  };
  if (own !== undefined && own !== commonSummary) section.text = clip(own, 1000);
  return section;
}

function toneOf(status: AlertmanagerPayload['status'], severity: string | undefined): Tone {
  if (status === 'resolved') return 'resolved';
  if (severity === 'critical' || severity === 'page') return 'critical';
  if (severity === 'warning') return 'warning';
  return 'info';
}

function severityAndNamespace(labels: Record<string, string>): Field[] {
  const fields: Field[] = [];
  if (labels.severity !== undefined) fields.push({ label: 'Severity', value: labels.severity });
  if (labels.namespace !== undefined) fields.push({ label: 'Namespace', value: labels.namespace });
  return fields;
}

function durationField(alert: Alert, now: Date): Field {
  const start = Date.parse(alert.startsAt);
  const end = alert.endsAt === undefined ? Number.NaN : Date.parse(alert.endsAt);
  if (alert.status === 'resolved' && Number.isFinite(end) && end > ZERO_TIME) {
    return { label: 'Fired for', value: formatDuration(end - start) };
  }
  return {
    label: 'Firing for',
    value: `${formatDuration(now.getTime() - start)} (since ${formatInstant(start)})`,
  };
}

/** The labels worth a reader's eye, object labels first, minus what is shown elsewhere. */
function labelsThatMatter(labels: Record<string, string>, common: Record<string, string>): Field[] {
  const names = Object.keys(labels).filter(
    (name) =>
      !SHOWN_APART.has(name) &&
      !NOISE.has(name) &&
      !name.startsWith('__') &&
      common[name] !== labels[name],
  );
  const hasObject = names.some((name) => OBJECT_LABELS.includes(name));
  const kept = names.filter((name) => !(hasObject && TARGET_LABELS.has(name)));
  const rank = (name: string) => {
    const i = OBJECT_LABELS.indexOf(name);
    return i < 0 ? OBJECT_LABELS.length : i;
  };
  kept.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return kept.map((name) => ({ label: name, value: clip(labels[name] ?? '', 200) }));
}

function summaryOf(annotations: Record<string, string>): string | undefined {
  const text = annotations.summary ?? annotations.message ?? annotations.description;
  return text === undefined ? undefined : clip(text, 1000);
}

function describe(annotations: Record<string, string>): string | undefined {
  const summary = summaryOf(annotations);
  const description = annotations.description;
  if (summary === undefined) return undefined;
  if (
    description === undefined ||
    description === annotations.summary ||
    annotations.summary === undefined
  ) {
    return summary;
  }
  return `${summary}\n\n${clip(description, 1500)}`;
}

function linksOf(alert: Alert, externalURL: string, silence: Record<string, string>): Link[] {
  return [
    { label: 'Source', url: alert.generatorURL },
    { label: 'Runbook', url: alert.annotations.runbook_url ?? '' },
    { label: 'Alertmanager', url: externalURL },
    { label: 'Silence', url: silenceUrl(externalURL, silence) },
  ];
}

/** What a silence of the group matches: the labels Alertmanager grouped by, else those in common. */
function silenceLabels(
  payload: Pick<AlertmanagerPayload, 'groupLabels' | 'commonLabels'>,
): Record<string, string> {
  return Object.keys(payload.groupLabels).length > 0 ? payload.groupLabels : payload.commonLabels;
}

/**
 * Alertmanager's page for a new silence, its matchers filled in from the group's labels; none
 * without an Alertmanager address or labels to match.
 */
export function silenceUrl(externalURL: string, labels: Record<string, string>): string {
  const names = Object.keys(labels).filter((name) => !name.startsWith('__'));
  if (externalURL === '' || names.length === 0) return '';
  const page = `${externalURL.replace(/\/+$/, '')}/#/silences/new`;
  // A name Prometheus could not have made, or matchers too long for a chat link: the empty page,
  // never a silence that matches more than the group.
  if (!names.every((name) => LABEL_NAME.test(name))) return page;
  const quoted = (value: string) => JSON.stringify(value);
  const filter = `{${names.map((name) => `${name}=${quoted(labels[name] ?? '')}`).join(',')}}`;
  const url = `${page}?filter=${encodeURIComponent(filter)}`;
  return url.length <= MAX_URL ? url : page;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_URL = 2_000;

function mixed(alerts: readonly Alert[], label: string): string {
  const values = [
    ...new Set(alerts.map((alert) => alert.labels[label]).filter((v) => v !== undefined)),
  ];
  return values.length === 0 ? 'none' : clip(values.sort().join(', '), 200);
}

function footerOf(payload: AlertmanagerPayload): string {
  return clip(`receiver ${payload.receiver || 'unknown'}`, 200);
}
