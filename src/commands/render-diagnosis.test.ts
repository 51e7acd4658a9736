import { describe, expect, it } from 'vitest';
import { renderPlainText } from '../chat/plain-text.ts';
import type { Finding } from '../tools/kubernetes/analyzers/index.ts';
import { emptySnapshot } from '../tools/kubernetes/snapshot.ts';
import { renderDiagnosis } from './render-diagnosis.ts';

const oom: Finding = {
  rule: 'oom-killed',
  severity: 'critical',
  object: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
  title: 'container app of pod web-1 is killed for running out of memory (4 restarts)',
  cause: 'the container uses more memory than its limit allows and the kernel kills it',
  confidence: 'certain',
  confidenceReason: 'the last termination reason is OOMKilled',
  evidence: ['last termination: OOMKilled, exit code 137'],
};
const rollout: Finding = {
  rule: 'rollout-failed',
  severity: 'warning',
  object: { kind: 'Deployment', namespace: 'shop', name: 'web' },
  title: 'rollout of deployment web failed at revision 2',
  cause: 'the new pods did not become available within the progress deadline',
  confidence: 'certain',
  confidenceReason: 'the Deployment reports ProgressDeadlineExceeded',
  evidence: ['Progressing=False (ProgressDeadlineExceeded)'],
};
const view = {
  cluster: 'prod',
  scope: 'namespace shop of cluster prod',
  actions: [],
  refused: [],
  snapshot: { ...emptySnapshot(), pods: [{}, {}], jobs: [{}], services: [{}, {}, {}] },
};
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('renderDiagnosis', () => {
  it('leads with the first finding: its title, cause, and confidence with the reason', () => {
    const message = renderDiagnosis({ ...view, findings: [oom, rollout] });

    const text = renderPlainText(message);

    expect(lines(text).slice(0, 4)).toEqual([
      oom.title,
      `Cause: ${oom.cause}`,
      'Confidence: certain — the last termination reason is OOMKilled',
      '2 problems in namespace shop of cluster prod: 1 critical, 1 other.',
    ]);
    expect(message.headline).toBe(oom.title);
  });

  it('keeps the lead to three lines when the cluster’s messages span several', () => {
    const multiline = {
      ...oom,
      cause: 'the probe failed:\n  HTTP 500\n',
      confidenceReason: 'its\r\nmessage',
    };

    const text = renderPlainText(renderDiagnosis({ ...view, findings: [multiline] }));

    expect(lines(text).slice(1, 3)).toEqual([
      'Cause: the probe failed: HTTP 500',
      'Confidence: certain — its message',
    ]);
  });

  it("shows every finding's evidence, and the others' own cause and confidence", () => {
    const message = renderDiagnosis({ ...view, findings: [oom, rollout] });

    const [first, second] = message.sections ?? [];

    expect(first).toMatchObject({ code: 'last termination: OOMKilled, exit code 137' });
    expect(second?.title).toBe('WARNING · rollout of deployment web failed at revision 2');
    expect(second?.text).toBe(
      `Cause: ${rollout.cause}\nConfidence: certain — the Deployment reports ProgressDeadlineExceeded`,
    );
    expect(second?.code).toBe('Progressing=False (ProgressDeadlineExceeded)');
  });

  it('reports no problems when every finding is info, with the notes after what it checked', () => {
    const suspended: Finding = {
      rule: 'cronjob/suspended',
      severity: 'info',
      object: { kind: 'CronJob', namespace: 'shop', name: 'quarterly-archive' },
      title: 'cronjob quarterly-archive is suspended',
      cause: 'spec.suspend is true, so it creates no jobs until someone resumes it',
      confidence: 'certain',
      confidenceReason: 'the CronJob spec says so',
      evidence: ['CronJob quarterly-archive spec.suspend: true'],
    };
    const message = renderDiagnosis({ ...view, findings: [suspended] });
    const text = lines(renderPlainText(message));

    expect(message.headline).toBe('No problems found in namespace shop of cluster prod');
    expect(message.tone).toBe('resolved');
    expect(text[1]).toMatch(/^Checked 2 pods, .*: no analyzer found a problem\.$/);
    expect(text[2]).toBe(
      'Noted: cronjob quarterly-archive is suspended: spec.suspend is true, so it creates no jobs until someone resumes it (confidence: certain — the CronJob spec says so)',
    );

    // With a problem, the problem leads, the count leaves the note out, and the note comes last.
    const both = renderDiagnosis({ ...view, findings: [suspended, rollout] });
    expect(both.headline).toBe(rollout.title);
    expect(both.text).toContain(
      '1 problem in namespace shop of cluster prod: 0 critical, 1 other.',
    );
    expect(both.sections?.at(-1)).toMatchObject({ title: 'Notes' });
  });

  it('says what it checked when it finds nothing, never that all is well on nothing', () => {
    const text = renderPlainText(renderDiagnosis({ ...view, findings: [] }));

    expect(lines(text).slice(0, 2)).toEqual([
      'No problems found in namespace shop of cluster prod',
      'Checked 2 pods, 0 deployments, 0 stateful sets, 0 daemon sets, 1 job, 0 cron jobs, 3 Services, 0 autoscalers, 0 disruption budgets, 0 volume claims, 0 nodes, 0 events, 0 container logs: no analyzer found a problem.',
    ]);
  });
});
