import { z } from 'zod';
import type { ProposeTool } from '../kubernetes/actions/tools.ts';
import { Name, Namespace } from '../kubernetes/context.ts';
import { namespaceScope } from '../tool.ts';
import { readVisibleApplication } from './application.ts';
import { proposeAppRollback, proposeSync } from './propose.ts';

/**
 * The argocd-operator's write tools. Each only proposes: the sync or rollback is a patch of the
 * Application's `operation` field with the API server's dry run, which people approve or reject
 * like every other change, and which runs once. The Application lives in Argo CD's namespace, but
 * what a sync changes is where it deploys: that namespace must be one the run may see.
 */
const AppNamespace = Namespace.default('argocd').describe(
  "Namespace of the Application object (Argo CD's own, usually argocd)",
);
const Prune = z
  .boolean()
  .default(false)
  .describe('Also delete the tracked objects Git no longer declares');

const writeTool = <Input extends z.ZodType>(tool: ProposeTool<Input>): ProposeTool<Input> => tool;

export const ARGOCD_WRITE_TOOLS = [
  writeTool({
    name: 'argocd_sync',
    description:
      'Propose syncing an Argo CD application: apply what Git declares (the revision it compares to, or the one given), putting drifted resources back. A manual change to a managed object is lost.',
    verb: 'sync',
    scope: (input) => namespaceScope(input.namespace),
    input: z.object({
      namespace: AppNamespace,
      name: Name.describe('Application name'),
      revision: z
        .string()
        .regex(/^[0-9A-Za-z][0-9A-Za-z._/-]{0,199}$/, 'must be a commit id, branch or tag')
        .optional()
        .describe('Commit, branch or tag to sync to; by default the revision Git has now'),
      prune: Prune,
    }),
    run: async (context, input) => {
      await readVisibleApplication(context, input.namespace, input.name);
      return proposeSync(context.cluster, {
        namespace: input.namespace,
        name: input.name,
        prune: input.prune,
        ...(input.revision === undefined ? {} : { revision: input.revision }),
      });
    },
  }),
  writeTool({
    name: 'argocd_rollback',
    description:
      'Propose rolling an Argo CD application back to a deployment from its history (argocd_history ids; by default the one before the last). Refused while automated sync is on: then revert in Git.',
    verb: 'sync',
    scope: (input) => namespaceScope(input.namespace),
    input: z.object({
      namespace: AppNamespace,
      name: Name.describe('Application name'),
      id: z.number().int().min(0).optional().describe('History id to return to'),
      prune: Prune,
    }),
    run: async (context, input) => {
      await readVisibleApplication(context, input.namespace, input.name);
      return proposeAppRollback(context.cluster, {
        namespace: input.namespace,
        name: input.name,
        prune: input.prune,
        ...(input.id === undefined ? {} : { id: input.id }),
      });
    },
  }),
] as const satisfies readonly ProposeTool[];
