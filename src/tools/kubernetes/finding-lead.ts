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

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
