import type { V1Deployment } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import type { ExecuteDeps } from '../../src/approvals/execute-proposal.ts';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { SuspendSwitch } from '../../src/policy/suspend.ts';
import { proposeSetResources } from '../../src/tools/kubernetes/actions/propose.ts';
import { type Cluster, Clusters } from '../../src/tools/kubernetes/cluster.ts';
import type { ProposedAction } from '../../src/tools/proposed-action.ts';

/**
 * A proposal to set payments-api's memory limit (the oom-crashloop scenario), shown in web:ops
 * and approved there, ready for the actions worker: what execution tests start from.
 */
export async function approvedMemoryChange(
  store: ProposalStore,
  cluster: Cluster,
  runId: string,
  call: string,
  memory: string,
): Promise<string> {
  const action = await proposeSetResources(cluster, {
    namespace: 'payments',
    name: 'payments-api',
    container: 'api',
    limits: { memory },
  });
  return approvedAction(store, action, runId, call);
}

/** Any proposed action, shown in web:ops (asked by web:dana) and approved there by web:sre. */
export async function approvedAction(
  store: ProposalStore,
  action: ProposedAction,
  runId: string,
  call: string,
): Promise<string> {
  const id = proposalId(runId, call);
  await store.create({
    id,
    runId,
    agent: 'diagnose',
    action,
    state: 'pending',
    createdAt: new Date().toISOString(),
  });
  await approveRecorded(store, id);
  return id;
}

/** A proposal already recorded (by a tool), shown in web:ops and approved there by web:sre. */
export async function approveRecorded(store: ProposalStore, id: string): Promise<void> {
  await store.attach(id, {
    channel: 'web:ops',
    requester: 'web:dana',
    cluster: 'sandbox',
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
  });
  await store.transition(id, ['pending'], 'approved', 'web:sre', { decidedBy: 'web:sre' });
}

/** What an agent's write tools propose with: its run on the sandbox cluster, at the confirm tier. */
export function proposingAs(store: ProposalStore, agent: string, runId: string) {
  return {
    runId,
    agent,
    proposals: store,
    autonomy: DEFAULT_AUTONOMY,
    maxTier: 'confirm' as const,
    cluster: 'sandbox',
  };
}

/** payments-api's memory limit as the cluster has it now. */
export async function paymentsMemoryLimit(cluster: Cluster): Promise<string | undefined> {
  const d = (await cluster.apps.readNamespacedDeployment({
    namespace: 'payments',
    name: 'payments-api',
  })) as V1Deployment;
  return d.spec?.template.spec?.containers.find((c) => c.name === 'api')?.resources?.limits?.memory;
}

/**
 * What the actions worker executes with, for a cluster behind `kubeconfig` (a proxy in front of
 * the sandbox): web:ops bound with web:sre approving, every outbox job kept in `posted`.
 */
export function executeDeps(
  redis: Redis,
  prefix: string,
  kubeconfig: string,
  posted: { jobId: string; data: OutboxJob }[],
): ExecuteDeps {
  return {
    proposals: new ProposalStore(redis, prefix),
    clusters: new Clusters([{ name: 'sandbox', kubeconfig, timeoutSeconds: 1 }]),
    bindings: [
      {
        channel: 'web:ops',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['web:sre'],
        allowSelfApproval: false,
      },
    ],
    autonomy: DEFAULT_AUTONOMY,
    outbox: {
      add: async (_name, data, options) => {
        posted.push({ jobId: options.jobId, data });
      },
    },
    log: createLogger('silent'),
    verifyTimeoutMs: 3_000,
    suspension: new SuspendSwitch(redis, prefix),
    people: [],
    dashboardUrl: undefined,
  };
}
