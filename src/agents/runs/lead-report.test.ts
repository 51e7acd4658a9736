import { describe, expect, it } from 'vitest';
import type { Finding } from '../../tools/kubernetes/analyzers/index.ts';
import { analyzerBriefing, leadReport } from './lead-report.ts';

const crash: Finding = {
  rule: 'crash-loop',
  severity: 'critical',
  object: { kind: 'Pod', namespace: 'orders', name: 'api-1' },
  title: 'container api of pod api-1 is crash looping (8 restarts)',
  cause: 'could not determine why the container exits: checked its last termination and events',
  confidence: 'unsure',
  confidenceReason: 'the termination and events show the crash but not its cause',
  evidence: ['last termination: Error, exit code 1', 'restarts: 8'],
};
const suspended: Finding = {
  rule: 'cronjob/suspended',
  severity: 'info',
  object: { kind: 'CronJob', namespace: 'batch', name: 'quarterly-archive' },
  title: 'cronjob quarterly-archive is suspended',
  cause: 'spec.suspend is true, so it creates no jobs until someone resumes it',
  confidence: 'certain',
  confidenceReason: 'the CronJob spec says so',
  evidence: ['CronJob quarterly-archive spec.suspend: true'],
};
const many = (n: number): Finding[] =>
  Array.from({ length: n }, (_, i) => ({
    ...crash,
    object: { ...crash.object, name: `api-${i}` },
    evidence: Array.from({ length: 10 }, (_, j) => `line ${j}`),
  }));

describe('leadReport', () => {
  it('leads with the title, the cause and the confidence, then the evidence', () => {
    const report = leadReport([crash], 'namespace orders', '3 pods');

    expect(report.slice(0, 3)).toEqual([
      crash.title,
      'Cause: could not determine why the container exits: checked its last termination and events',
      'Confidence: unsure — the termination and events show the crash but not its cause',
    ]);
    expect(report).toContain('    last termination: Error, exit code 1');
  });

  it('says what was checked when nothing is found', () => {
    expect(leadReport([], 'namespace shop', '5 pods, 2 deployments')).toEqual([
      'No problems found in namespace shop',
      'Checked 5 pods, 2 deployments: no analyzer found a problem.',
    ]);
  });
});

describe('leadReport with info findings', () => {
  it('reports no problems when every finding is info, and lists them after as notes', () => {
    expect(leadReport([suspended], 'namespace batch', '5 pods')).toEqual([
      'No problems found in namespace batch',
      'Checked 5 pods: no analyzer found a problem.',
      '',
      'Noted: cronjob quarterly-archive is suspended: spec.suspend is true, so it creates no jobs until someone resumes it (confidence: certain — the CronJob spec says so)',
    ]);
  });

  it('leads with a problem over an info finding listed first, and counts only problems', () => {
    const report = leadReport([suspended, crash], 'namespace orders', '3 pods');

    expect(report.slice(0, 3)).toEqual(
      leadReport([crash], 'namespace orders', '3 pods').slice(0, 3),
    );
    expect(report).not.toContain(
      'Also found (2 problems in namespace orders, the root cause first):',
    );
    expect(report.at(-1)).toBe(
      'Noted: cronjob quarterly-archive is suspended: spec.suspend is true, so it creates no jobs until someone resumes it (confidence: certain — the CronJob spec says so)',
    );
  });
});

describe('analyzerBriefing', () => {
  it('briefs a scope whose only findings are info as one with no problem, with the notes', () => {
    const brief = analyzerBriefing({ findings: [suspended], checked: '5 pods' }, 'namespace batch');

    expect(brief).toContain('They checked 5 pods and found no problem.');
    expect(brief).toContain('Noted: cronjob quarterly-archive is suspended');
    expect(brief).not.toContain('[info]');
    expect(brief).not.toContain('Findings, the likely root cause first');
  });

  it('labels the findings as the analyzers’, each with cause, confidence and evidence, bounded', () => {
    const brief = analyzerBriefing({ findings: many(10), checked: '10 pods' }, 'namespace orders');

    expect(brief).toMatch(/^## What Coxswain's analyzers found in namespace orders/);
    expect(brief).toContain('1. [critical] Pod orders/api-0: container api of pod api-1');
    expect(brief).toContain(`   Cause: ${crash.cause}`);
    expect(brief).toContain(`   Confidence: unsure — ${crash.confidenceReason}`);
    expect(brief).toContain('8. [critical] Pod orders/api-7');
    expect(brief).not.toContain('Pod orders/api-8');
    expect(brief).toContain('(2 more findings not shown.)');
    expect(brief).toContain('   - line 5');
    expect(brief).not.toContain('line 6');
  });

  it('says the analyzers could not run, and why', () => {
    const brief = analyzerBriefing({ error: 'cannot reach the API server' }, 'namespace orders');

    expect(brief).toContain('The analyzers could not run: cannot reach the API server.');
  });
});
