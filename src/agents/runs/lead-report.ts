import type { Finding } from '../../tools/kubernetes/analyzers/index.ts';
import { causeLines, isProblem, leadLines, noteLine } from '../../tools/kubernetes/finding-lead.ts';
import { taggedData } from '../tool-use/model-tools.ts';

/**
 * The analyzers' findings as text: the answer without a model, and the evidence a specialist is
 * given before its first model call. Both lead the same way a person wants an answer: the root
 * cause's symptom, its cause, and how sure that is and why; then the evidence it rests on.
 * Findings come redacted from the analyzers and ranked with their root cause first.
 */
const LEAD_EVIDENCE = 6;
const OTHER_EVIDENCE = 3;
const OTHERS = 5;

/**
 * The answer's lead and the rest of what was found. The first three lines are the lead finding's
 * title, `Cause: …` and `Confidence: … — …`; with no problem found, the first line says so and the
 * next what was checked. `info` findings are no problems: they come last, as notes.
 */
export function leadReport(findings: readonly Finding[], where: string, checked: string): string[] {
  const problems = findings.filter(isProblem);
  const notes = findings.filter((f) => !isProblem(f)).map(noteLine);
  const [lead, ...others] = problems;
  if (lead === undefined) {
    return [
      `No problems found in ${where}`,
      `Checked ${checked}: no analyzer found a problem.`,
      ...(notes.length === 0 ? [] : ['', ...notes]),
    ];
  }
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${where}`;
  return [
    ...leadLines(lead),
    '',
    'Evidence:',
    ...cited(lead, LEAD_EVIDENCE),
    ...(others.length === 0 ? [] : ['', `Also found (${count}, the root cause first):`]),
    ...others
      .slice(0, OTHERS)
      .flatMap((f) => [`- ${f.title}: ${f.cause} (${f.confidence})`, ...cited(f, OTHER_EVIDENCE)]),
    ...(others.length > OTHERS ? [`- … and ${others.length - OTHERS} more`] : []),
    ...(notes.length === 0 ? [] : ['', ...notes]),
  ];
}

function cited(finding: Finding, limit: number): string[] {
  const lines = finding.evidence.slice(0, limit).map((e) => `    ${e}`);
  return lines.length > 0 ? lines : ['    (no evidence line recorded)'];
}

/** Bounds of the evidence a specialist's first turn carries, to keep it small. */
const BRIEF_FINDINGS = 8;
const BRIEF_EVIDENCE = 6;

/**
 * The analyzers' findings for a specialist's first turn, labelled as theirs: what they read,
 * each finding with its object, cause, confidence and cited evidence; or why they could not run.
 */
export function analyzerBriefing(
  outcome: { findings: readonly Finding[]; checked: string } | { error: string },
  where: string,
): string {
  const head = `## What Coxswain's analyzers found in ${where} (before you were asked)`;
  if ('error' in outcome) {
    return `${head}\n\n${taggedData('analyzers', `The analyzers could not run: ${outcome.error}.`, true)}\nInvestigate with your tools.`;
  }
  const { checked } = outcome;
  const findings = outcome.findings.filter(isProblem);
  const notes = outcome.findings.filter((f) => !isProblem(f)).map(noteLine);
  const noted = notes.length === 0 ? '' : `\n\n${notes.join('\n')}`;
  if (findings.length === 0) {
    return `${head}\n\n${taggedData('analyzers', `They checked ${checked} and found no problem.${noted}`)}`;
  }
  const shown = findings
    .slice(0, BRIEF_FINDINGS)
    .flatMap((f, i) => [
      '',
      `${i + 1}. [${f.severity}] ${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}: ${f.title}`,
      ...causeLines(f).map((line) => `   ${line}`),
      '   Evidence:',
      ...f.evidence.slice(0, BRIEF_EVIDENCE).map((e) => `   - ${e}`),
    ]);
  const more =
    findings.length > BRIEF_FINDINGS
      ? [`\n(${findings.length - BRIEF_FINDINGS} more findings not shown.)`]
      : [];
  const listed = [
    `They checked ${checked}. Findings, the likely root cause first:`,
    ...shown,
    ...more,
  ].join('\n');
  const body = `${listed}${noted}`;
  return `${head}\n\n${taggedData('analyzers', body)}`;
}
