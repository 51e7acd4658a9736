import type { Scenario } from './scenario.ts';

/**
 * How a person judges an answer to a scenario, as rules: its lead (the first three non-empty
 * lines: headline, cause, confidence) states the expected cause and an accepted confidence,
 * and nothing forbidden appears anywhere in it. Each reason is one line saying what is wrong.
 */
export function leadOf(answer: string): string {
  return answer
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, 3)
    .join('\n');
}

export function judgeAnswer(scenario: Scenario, answer: string, lead = leadOf(answer)): string[] {
  const reasons: string[] = [];
  const expect = scenario.expect;
  if (expect.healthy === true && !/^no problems found/i.test(lead))
    reasons.push(`not reported healthy: lead "${oneLine(lead)}"`);
  for (const pattern of expect.cause) {
    const expected = new RegExp(pattern, 'i');
    // Whether the fact is lower down tells a rendering gap from an analyzer's.
    if (!expected.test(lead))
      reasons.push(
        `cause /${pattern}/ not in lead (${expected.test(answer) ? 'but in the answer' : 'nowhere in the answer'}): "${oneLine(lead)}"`,
      );
  }
  if (expect.couldNotDetermine === true && !/could not determine/i.test(lead))
    reasons.push(`lead does not say it could not determine the cause: "${oneLine(lead)}"`);
  if (expect.confidence !== undefined) {
    const stated = /confidence:\s*(certain|likely|unsure)/i.exec(lead)?.[1]?.toLowerCase();
    if (stated === undefined) reasons.push('lead states no confidence');
    else if (!expect.confidence.includes(stated as 'certain'))
      reasons.push(`confidence ${stated}, expected ${expect.confidence.join(' or ')}`);
  }
  for (const pattern of scenario.forbid) {
    const found = new RegExp(pattern, 'i').exec(answer);
    if (found !== null) reasons.push(`forbidden /${pattern}/ found: "${oneLine(found[0])}"`);
  }
  return reasons;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' | ');
  return flat.length > 140 ? `${flat.slice(0, 140)}…` : flat;
}

/**
 * Whether a model's answer cites the evidence: it names the object the analyzers found at fault
 * and quotes at least one of their facts (an exit code, an event reason, a log fragment).
 */
export function citesEvidence(
  answer: string,
  findings: readonly { object: { name: string }; evidence: readonly string[] }[],
): boolean {
  if (findings.length === 0) return true;
  const named = findings.some((f) => answer.toLowerCase().includes(f.object.name.toLowerCase()));
  const facts = findings.flatMap((f) => f.evidence.flatMap(factsOf));
  return named && facts.some((fact) => fact.test(answer));
}

/** The quotable facts of one evidence line: its event reason, exit code, and the start of its text. */
export function factsOf(line: string): RegExp[] {
  const facts: RegExp[] = [];
  const event = /^event (\w+):/.exec(line);
  if (event?.[1] !== undefined) facts.push(new RegExp(`\\b${event[1]}\\b`));
  const exit = /exit ?code:? ?(\d+)/i.exec(line);
  if (exit?.[1] !== undefined)
    facts.push(new RegExp(`\\bexit(ed)?( with)?( code)?:? ?${exit[1]}\\b`, 'i'));
  const value = line.slice(line.indexOf(': ') + 2).trim();
  if (value.length >= 12) facts.push(new RegExp(escapeRegExp(value.slice(0, 40)), 'i'));
  return facts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
