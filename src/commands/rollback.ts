import { type ChatMessageInput, fitMessage } from '../chat/message.ts';
import { type Autonomy, DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { CoxswainError } from '../errors.ts';
import { tierOf } from '../policy/tiers.ts';
import type { KubeAction } from '../tools/kubernetes/actions/action.ts';
import { proposeRollback } from '../tools/kubernetes/actions/propose.ts';
import type { Cluster } from '../tools/kubernetes/cluster.ts';

/**
 * `rollback APP -n NS`: the deployment's roll back to its previous revision, as the API server's
 * dry run shows it. Nothing is changed: the change comes back as an action, with its tier, for a
 * person (and the approval flow) to decide on.
 */
type RollbackPlan = {
  action: KubeAction | undefined;
  tier: string | undefined;
  message: ChatMessageInput;
};

export async function planRollback(
  cluster: Cluster,
  request: { app: string; namespace: string },
  autonomy: Autonomy = DEFAULT_AUTONOMY,
): Promise<RollbackPlan> {
  const where = `deployment ${request.namespace}/${request.app} in cluster ${cluster.name}`;
  let action: KubeAction;
  try {
    action = await proposeRollback(cluster, { namespace: request.namespace, name: request.app });
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    return {
      action: undefined,
      tier: undefined,
      message: fitMessage({
        headline: `Cannot roll back ${where}`,
        text: error.message,
        tone: 'warning',
      }),
    };
  }
  const tier = tierOf({ verb: action.verb, kind: action.target.kind }, autonomy);
  return {
    action,
    tier,
    message: fitMessage({
      headline: `Proposed: ${action.summary}`,
      text: `Nothing has been changed. This is a ${tier}-tier change; the dry-run diff is below.`,
      tone: 'info',
      sections: [{ title: 'Dry-run diff', code: action.diff }],
      footer: `cluster ${cluster.name}`,
    }),
  };
}
