import type { Binding } from '../config/policy-schema.ts';
import { authorise } from '../policy/authorise.ts';
import type { RunJobInput } from '../queue/jobs.ts';
import type { ProposalRecord } from './proposal-store.ts';

/**
 * A question whose answer proposed a change goes on once the change is decided: the
 * orchestrator is asked again in the same thread, with the conversation so far and what became
 * of the proposal (applied and verified, failed, rejected, expired or superseded), so it can say
 * what that means for what was asked.
 */
export type RunsQueue = {
  add(name: string, data: RunJobInput, options: { jobId: string }): Promise<unknown>;
};

// Not expiry: nobody decided, and asking again would only offer the same card again.
const FINAL = new Set(['succeeded', 'failed', 'rejected', 'superseded']);

/** A workflow's gate is settled by any end, expiry included: the run stops, saying why. */
const GATE_FINAL = new Set([...FINAL, 'expired']);

export async function resumeAfterDecision(
  record: ProposalRecord,
  runs: RunsQueue,
  bindings: readonly Binding[],
  now = new Date(),
): Promise<boolean> {
  const origin = record.origin;
  const workflow = origin?.workflow;
  if (workflow !== undefined) {
    if (!GATE_FINAL.has(record.state)) return false;
    await runs.add(
      'workflow-resume',
      { kind: 'workflow-resume', runId: workflow.runId, proposalId: record.id },
      { jobId: `workflow-resume.${record.id}.${record.state}` },
    );
    return true;
  }
  if (origin?.conversation === undefined || !FINAL.has(record.state)) return false;
  const scope = authorise.stillBound(
    { channel: origin.channel, cluster: origin.cluster, namespaces: origin.namespaces ?? [] },
    { bindings },
  );
  if (!scope.allowed) return false;
  const by = record.decidedBy === undefined ? '' : ` by ${record.decidedBy}`;
  const result = record.result;
  const what = [
    `${record.state === 'succeeded' ? 'approved' : record.state === 'failed' ? 'approved' : record.state}${by}`,
    record.state === 'succeeded' ? `and applied. ${result?.verified ?? ''}` : '',
    record.state === 'failed' ? `but it failed: ${result?.error ?? ''}` : '',
    record.state === 'superseded' ? `because the target changed: ${result?.error ?? ''}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const runId = `resume.${record.id}`;
  await runs.add(
    'ask',
    {
      kind: 'ask',
      runId,
      receivedAt: now.toISOString(),
      question:
        `Follow-up on proposal ${record.id} in namespace ${record.action.target.namespace ?? '(cluster)'}: "${record.action.summary}" was ${what}. Say what this means for what was asked, and check the cluster again.`.slice(
          0,
          4_000,
        ),
      channel: origin.channel,
      ...(origin.thread === undefined ? {} : { thread: origin.thread }),
      ...(origin.threadKey === undefined ? {} : { threadKey: origin.threadKey }),
      conversation: origin.conversation,
      requester: origin.requester,
      cluster: origin.cluster,
      namespaces: [...scope.namespaces],
      ...(record.state === 'rejected' ? { declined: [record.action.digest] } : {}),
    },
    { jobId: runId },
  );
  return true;
}
