import type { V1Deployment } from '@kubernetes/client-node';
import { type ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { proposeSetResources } from '../../src/tools/kubernetes/actions/propose.ts';
import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';

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
  const id = proposalId(runId, call);
  await store.create({
    id,
    runId,
    agent: 'diagnose',
    action,
    state: 'pending',
    createdAt: new Date().toISOString(),
  });
  await store.attach(id, {
    channel: 'web:ops',
    requester: 'web:dana',
    cluster: 'sandbox',
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
  });
  await store.transition(id, ['pending'], 'approved', 'web:sre', { decidedBy: 'web:sre' });
  return id;
}

/** payments-api's memory limit as the cluster has it now. */
export async function paymentsMemoryLimit(cluster: Cluster): Promise<string | undefined> {
  const d = (await cluster.apps.readNamespacedDeployment({
    namespace: 'payments',
    name: 'payments-api',
  })) as V1Deployment;
  return d.spec?.template.spec?.containers.find((c) => c.name === 'api')?.resources?.limits?.memory;
}
