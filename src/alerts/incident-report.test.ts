import { describe, expect, it } from 'vitest';
import { buildReport, figuresOf, reportMessage } from './incident-report.ts';
import type { Incident } from './incidents.ts';

const incident: Incident = {
  id: 'abc.1',
  groupId: 'abc',
  threadKey: 'alert.abc',
  alertname: 'KubePodCrashLooping',
  namespace: 'payments',
  channels: ['slack:C0ONCALL'],
  firedAt: '2026-12-06T10:00:00.000Z',
  resolvedAt: '2026-12-06T10:30:00.000Z',
  diagnosis: {
    at: '2026-12-06T10:01:30.000Z',
    cause: 'payments-api is OOMKilled: its limit is 256Mi',
    evidence: 'Last state: OOMKilled (exit 137), 6 restarts',
    by: 'analyzers, no model',
    runId: 'run-1',
  },
};

const approved = {
  proposalId: 'p1',
  summary: 'Raise payments-api memory limit to 384Mi',
  proposedAt: '2026-12-06T10:01:31.000Z',
  state: 'succeeded',
  decidedBy: 'slack:U0SRE',
  decidedAt: '2026-12-06T10:05:00.000Z',
  appliedAt: '2026-12-06T10:05:02.000Z',
};

describe('an incident report', () => {
  it('gives the timeline in order, who decided, and the times to diagnose, mitigate and resolve', () => {
    const report = buildReport(incident, [approved]);
    expect(report.timeline.map((e) => e.what)).toEqual([
      'fired',
      'diagnosed',
      'proposed: Raise payments-api memory limit to 384Mi',
      'approved by slack:U0SRE',
      'applied: Raise payments-api memory limit to 384Mi',
      'resolved',
    ]);
    expect(report).toMatchObject({
      timeToDiagnoseSeconds: 90,
      timeToMitigateSeconds: 302,
      timeToResolveSeconds: 1_800,
      automated: true,
      cause: 'payments-api is OOMKilled: its limit is 256Mi',
    });
    expect(figuresOf(report)).toEqual({
      resolveSeconds: 1_800,
      diagnoseSeconds: 90,
      mitigateSeconds: 302,
      automated: true,
    });
    const message = reportMessage(report);
    expect(message.headline).toBe('Incident resolved: KubePodCrashLooping');
    expect(message.text).toContain('OOMKilled');
    expect(JSON.stringify(message)).toContain('approved by slack:U0SRE');
  });

  it('counts only a change that reached the cluster as a fix through Coxswain', () => {
    const rejected = {
      ...approved,
      state: 'rejected',
      appliedAt: undefined,
      decidedBy: 'slack:U0LEAD',
    };
    const failed = { ...approved, state: 'failed', appliedAt: undefined };
    const report = buildReport(incident, [rejected, failed]);
    expect(report.automated).toBe(false);
    expect(report.timeToMitigateSeconds).toBeUndefined();
    expect(report.timeline.map((e) => e.what)).toContain('rejected by slack:U0LEAD');
    expect(JSON.stringify(reportMessage(report))).toContain('no change through Coxswain');
  });

  it('takes the diagnosis of the investigation its alerts joined, and says it is there', () => {
    const joined: Incident = { ...incident, diagnosis: undefined, joined: 'alert.other' };
    const report = buildReport(joined, [], incident);
    expect(report.cause).toBe(incident.diagnosis?.cause);
    expect(report.timeline.map((e) => e.what)).toContain('diagnosed (in the joined thread)');
  });

  it('says when nothing diagnosed it before it resolved', () => {
    const report = buildReport({ ...incident, diagnosis: undefined }, []);
    expect(report.timeToDiagnoseSeconds).toBeUndefined();
    expect(reportMessage(report).text).toContain('not diagnosed before it resolved');
  });
});
