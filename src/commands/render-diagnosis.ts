import { type ChatMessageInput, fitMessage } from '../chat/message.ts';
import type { Finding, Snapshot } from '../tools/kubernetes/analyzers/index.ts';
import { countOf, whatWasChecked } from '../tools/kubernetes/find-problems.ts';
import { causeLines, isProblem, leadLines, noteLine } from '../tools/kubernetes/finding-lead.ts';
import type { Diagnosis } from './diagnose.ts';

/**
 * A diagnosis as a chat message that leads with its answer: the headline is the root cause's
 * symptom, and the text's first lines its cause and how sure that is, with why. Every renderer
 * (Slack, Discord, the web console, the terminal) shows the headline and then the text first,
 * so the lead is what a person sees, and what a notification shows. Then how many problems the
 * scope has, each other finding with its own cause, confidence and evidence, and the fixes.
 */
const MAX_FINDINGS = 12;

type Sections = NonNullable<ChatMessageInput['sections']>;

type DiagnosisView = Pick<Diagnosis, 'scope' | 'findings' | 'actions' | 'refused'> & {
  cluster: string;
  snapshot: Snapshot;
};

export function renderDiagnosis(view: DiagnosisView): ChatMessageInput {
  const { snapshot, scope } = view;
  // `info` findings are states their owners chose: notes after the answer, never its lead.
  const findings = view.findings.filter(isProblem);
  const notes = view.findings.filter((f) => !isProblem(f)).map(noteLine);
  const noteSections = notes.length === 0 ? [] : [{ title: 'Notes', text: notes.join('\n') }];
  const footer = `cluster ${view.cluster} · read ${countOf(snapshot.pods.length, 'pods')}, ${countOf(snapshot.deployments.length, 'deployments')}, ${countOf(snapshot.nodes.length, 'nodes')}, ${countOf(snapshot.events.length, 'events')}`;
  const lead = findings[0];
  if (lead === undefined) {
    return fitMessage({
      headline: `No problems found in ${scope}`,
      text: [`Checked ${whatWasChecked(snapshot)}: no analyzer found a problem.`, ...notes].join(
        '\n',
      ),
      tone: 'resolved',
      footer,
    });
  }
  const [title, cause, confidence] = leadLines(lead);
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const fixes =
    view.actions.length === 0
      ? ''
      : ` ${view.actions.length} fix${view.actions.length === 1 ? '' : 'es'} proposed; nothing has been changed.`;
  const count = `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${scope}: ${critical} critical, ${findings.length - critical} other.${fixes}`;
  return fitMessage({
    headline: title,
    text: [cause, confidence, '', count].join('\n'),
    tone: critical > 0 ? 'critical' : 'warning',
    sections: [...findingSections(findings), ...fixSections(view), ...noteSections],
    footer,
  });
}

/** The lead's evidence, then each other finding with its cause, confidence and evidence. */
function findingSections(findings: readonly Finding[]): Sections {
  const sections = findings.slice(0, MAX_FINDINGS).map((f, i) => ({
    title: `${f.severity.toUpperCase()} · ${f.title}`,
    // The lead's cause is the message's own text: its section holds only the evidence.
    ...(i === 0 ? {} : { text: causeLines(f).join('\n') }),
    ...(f.evidence.length === 0 ? {} : { code: f.evidence.join('\n') }),
  }));
  if (findings.length > MAX_FINDINGS)
    sections.push({ title: `… and ${findings.length - MAX_FINDINGS} more findings` });
  return sections;
}

function fixSections(view: DiagnosisView): Sections {
  return [
    ...view.actions.map(({ action, tier }) => ({
      title: `Proposed fix (${tier} tier): ${action.summary}`,
      code: action.diff,
    })),
    ...view.refused.map((r) => ({
      title: `Proposed fix refused by the API server's dry run: ${r.summary}`,
      code: r.reason,
    })),
  ];
}
