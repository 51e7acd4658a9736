import { describe, expect, it } from 'vitest';
import { alertFixture, firstAlert } from '../../test/support/fixtures.ts';
import { ChatMessage } from '../chat/message.ts';
import { groupId } from './alert-groups.ts';
import { renderAlertGroup, silenceUrl } from './render-alert.ts';
import { AlertmanagerPayload } from './schema.ts';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const payload = (name: 'firing' | 'resolved' | 'multi') =>
  AlertmanagerPayload.parse(alertFixture(name));
const fieldsOf = (message: { fields?: { label: string; value: string }[] | undefined }) =>
  Object.fromEntries((message.fields ?? []).map((f) => [f.label, f.value]));

describe('renderAlertGroup', () => {
  it('shows a firing alert with what an on-call engineer needs first', () => {
    const message = renderAlertGroup(payload('firing'), NOW);

    expect(message.headline).toBe('Firing: KubePodCrashLooping');
    expect(message.tone).toBe('critical');
    expect(message.text).toContain('Pod is crash looping.');
    expect(fieldsOf(message)).toEqual({
      Severity: 'critical',
      Namespace: 'payments',
      'Firing for': '47m (since 2026-11-21 09:12 UTC)',
      pod: 'payments-api-7d9f8b6c5d-x2k4q',
      container: 'api',
      reason: 'CrashLoopBackOff',
    });
    expect(message.links?.map((l) => l.label)).toEqual([
      'Source',
      'Runbook',
      'Alertmanager',
      'Silence',
    ]);
    expect(message.links?.[0]?.url).toMatch(/^http:\/\/prometheus\.monitoring\.svc:9090\/graph/);
  });

  it('leaves out scrape-path labels when an object label says what is wrong', () => {
    const labels = Object.keys(fieldsOf(renderAlertGroup(payload('firing'), NOW)));

    for (const noise of [
      'prometheus',
      'endpoint',
      'uid',
      'instance',
      'job',
      'service',
      'alertname',
    ]) {
      expect(labels).not.toContain(noise);
    }
  });

  it('keeps the scrape target when it is the only clue', () => {
    const input = payload('firing');
    const alert = firstAlert(input);
    alert.labels = {
      alertname: 'TargetDown',
      job: 'node-exporter',
      instance: '10.0.0.7:9100',
      severity: 'warning',
    };

    const fields = fieldsOf(renderAlertGroup(input, NOW));

    expect(fields.instance).toBe('10.0.0.7:9100');
    expect(fields.job).toBe('node-exporter');
  });

  it('says how long a resolved alert fired', () => {
    const message = renderAlertGroup(payload('resolved'), NOW);

    expect(message.headline).toBe('Resolved: KubePodCrashLooping');
    expect(message.tone).toBe('resolved');
    expect(fieldsOf(message)['Fired for']).toBe('34m');
  });

  it('shows a multi-alert group as one message with a section per alert', () => {
    const message = renderAlertGroup(payload('multi'), NOW);

    expect(message.headline).toBe('Firing: KubeNodePressure (3 alerts)');
    expect(message.tone).toBe('warning');
    expect(fieldsOf(message)).toMatchObject({
      Severity: 'warning',
      Alerts: '2 firing, 1 resolved',
      'Firing for': '1h 58m (since 2026-11-21 08:01 UTC)',
    });
    expect(message.sections?.map((s) => s.title)).toEqual([
      'node=worker-1',
      'node=worker-2',
      'node=worker-3',
    ]);
    expect(message.sections?.[2]?.fields).toContainEqual({ label: 'Fired for', value: '40m' });
  });

  it('counts alerts it does not show and those Alertmanager truncated', () => {
    const input = payload('multi');
    const template = firstAlert(input);
    input.alerts = Array.from({ length: 12 }, (_, i) => ({
      ...template,
      fingerprint: `fp${i}`,
      labels: { ...template.labels, node: `worker-${i}` },
    }));
    input.truncatedAlerts = 5;

    const message = renderAlertGroup(input, NOW);

    expect(message.headline).toBe('Firing: KubeNodePressure (17 alerts)');
    expect(message.sections).toHaveLength(10);
    expect(message.footer).toContain('7 more alerts not shown (5 truncated)');
  });

  it('drops links that are not http(s)', () => {
    const input = payload('firing');
    const alert = firstAlert(input);
    alert.generatorURL = 'javascript:alert(1)';
    alert.annotations.runbook_url = 'data:text/html,hi';

    const message = renderAlertGroup(input, NOW);

    expect(message.links?.map((l) => l.label)).toEqual(['Alertmanager', 'Silence']);
  });

  it.each(['firing', 'resolved', 'multi'] as const)(
    'renders the %s fixture within the message limits',
    (name) => {
      expect(ChatMessage.safeParse(renderAlertGroup(payload(name), NOW)).success).toBe(true);
    },
  );

  it('stays within the limits for an oversized alert name and label names', () => {
    const input = payload('multi');
    const long = 'A'.repeat(400);
    input.commonLabels.alertname = long;
    for (const alert of input.alerts) {
      alert.labels[`label_${'n'.repeat(150)}`] = 'v'.repeat(3000);
      alert.labels[''] = 'empty name';
    }

    const message = renderAlertGroup(input, NOW);

    expect(ChatMessage.safeParse(message).success).toBe(true);
    expect(message.headline?.length).toBe(300);
    expect(message.headline?.endsWith('…')).toBe(true);
  });

  it('stays within the limits for oversized annotations', () => {
    const input = payload('firing');
    const alert = firstAlert(input);
    alert.annotations.summary = 'x'.repeat(50_000);
    alert.annotations.description = 'y'.repeat(50_000);
    alert.labels.pod = 'p'.repeat(5_000);

    expect(ChatMessage.safeParse(renderAlertGroup(input, NOW)).success).toBe(true);
  });
});

describe('the silence link of an alert group', () => {
  it("opens Alertmanager's new-silence page with the group's labels as matchers", () => {
    const url = silenceUrl('http://alertmanager.example/', {
      alertname: 'KubePodCrashLooping',
      namespace: 'pay"ments',
    });
    expect(url.startsWith('http://alertmanager.example/#/silences/new?filter=')).toBe(true);
    const filter = decodeURIComponent(url.slice(url.indexOf('filter=') + 'filter='.length));
    expect(filter).toBe('{alertname="KubePodCrashLooping",namespace="pay\\"ments"}');
  });

  it('is left out without an Alertmanager address, and never matches more than the group', () => {
    expect(silenceUrl('', { alertname: 'X' })).toBe('');
    // Too long for chat: the empty page, not a silence of every alert of that name.
    const long = silenceUrl('http://am.example', { alertname: 'X', pod: 'p'.repeat(3_000) });
    expect(long).toBe('http://am.example/#/silences/new');
    // A label name no Prometheus makes could smuggle an operator into the matchers.
    const forged = silenceUrl('http://am.example', { 'alertname=~".+",x': 'y' });
    expect(forged).toBe('http://am.example/#/silences/new');
  });
});

describe("the alert message's Silence 2h button", () => {
  it('is offered while the group fires, naming the group, and gone once it resolves', () => {
    const firing = renderAlertGroup(payload('firing'), NOW);
    const resolved = renderAlertGroup(payload('resolved'), NOW);
    const unnamed = renderAlertGroup(
      { ...payload('firing'), groupLabels: {}, commonLabels: { 'bad-name': 'x' } },
      NOW,
    );

    expect(firing.buttons).toEqual([
      {
        action: 'silence',
        label: 'Silence 2h',
        value: groupId(payload('firing').groupKey),
        style: 'default',
      },
    ]);
    expect(resolved.buttons ?? []).toEqual([]);
    expect(unnamed.buttons ?? []).toEqual([]);
  });
});
