import type { Logger } from '../../observability/logger.ts';
import { redactText } from '../../policy/redact.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { findProblems, whatWasChecked } from '../../tools/kubernetes/find-problems.ts';
import { since } from '../tool-use/model-tools.ts';
import { analyzerBriefing } from './lead-report.ts';
import { namespaceIn } from './namespace-in.ts';

/**
 * Analyzers first: before a specialist that reads pods or events asks its model anything, the
 * analyzers read the namespace its task names (within what the channel may see) and their
 * findings go into its first turn as evidence, so a case they explain needs few model calls and
 * no re-reading. Their failure (an API server down) fails nothing: the turn says they could not
 * run, and why, and the specialist investigates with its tools.
 */
const READS_THE_ANALYZERS_COVER = ['list_pods', 'events'];

export function usesAnalyzers(tools: readonly string[]): boolean {
  return tools.some((tool) => READS_THE_ANALYZERS_COVER.includes(tool));
}

export async function analyzerEvidence(
  kube: KubeContext,
  task: string,
  log: Logger,
): Promise<string> {
  const visible = kube.namespaces ?? ['*'];
  const started = performance.now();
  let where = 'the namespaces this channel may see';
  try {
    const namespace = await namespaceIn(kube.cluster, [task], visible);
    if (namespace !== undefined) where = `namespace ${namespace}`;
    const { snapshot, findings } = await findProblems(kube.cluster, { namespace, visible });
    log.info({ namespace, findings: findings.length, ms: since(started) }, 'analyzers');
    return analyzerBriefing({ findings, checked: whatWasChecked(snapshot) }, where);
  } catch (error) {
    const reason = redactText(error instanceof Error ? error.message : String(error));
    log.warn({ err: reason, ms: since(started) }, 'analyzers could not run');
    return analyzerBriefing({ error: reason }, where);
  }
}
