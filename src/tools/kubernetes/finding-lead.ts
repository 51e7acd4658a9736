import type { Finding } from './analyzers/index.ts';

/**
 * How every answer opens on a finding, whoever composes it (diagnose's message, the answer
 * without a model, a specialist's evidence): its title, then `Cause: …`, then `Confidence: … —
 * why`. Each a single line, whatever the cluster's messages held, so the lead reads the same on
 * every platform and a reader (or a check) finds it in the first three lines.
 */
export function leadLines(finding: Finding): [title: string, cause: string, confidence: string] {
  return [oneLine(finding.title), ...causeLines(finding)] as [string, string, string];
}

/** The lead without its title: the cause, and the confidence with its reason. */
export function causeLines(finding: Finding): [cause: string, confidence: string] {
  return [
    `Cause: ${oneLine(finding.cause)}`,
    `Confidence: ${finding.confidence} — ${oneLine(finding.confidenceReason)}`,
  ];
}

/**
 * Whether a finding is a problem. An `info` finding is a state its owners chose (a CronJob
 * suspended, a Deployment at zero replicas): worth a note, never an answer's lead, and a scope
 * with nothing else has no problems.
 */
export function isProblem(finding: Finding): boolean {
  return finding.severity !== 'info';
}

/**
 * An `info` finding as the note told after the answer, on one line with how sure it is, since a
 * person who asked about that object (why a Job does nothing) finds the answer there:
 * `Noted: <title>: <cause> (confidence: <confidence> — <why>)`.
 */
export function noteLine(finding: Finding): string {
  return `Noted: ${oneLine(finding.title)}: ${oneLine(finding.cause)} (confidence: ${finding.confidence} — ${oneLine(finding.confidenceReason)})`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
