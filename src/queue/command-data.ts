import { z } from 'zod';

/**
 * A parsed command as data. `SkillCommand` is what travels in a run job to a worker; `Command`
 * is the whole union the grammar (`src/commands/grammar.ts`) produces and policy scopes. Both sit
 * here, below commands and policy, so that the queue's job schema and policy can name them.
 */
export const Name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
export const NamespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
export const ClusterName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
export const WorkflowName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
export const InputKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/);
export const InputValue = z.string().max(200);
export const MAX_WORKFLOW_INPUTS = 10;

export const DiagnoseTarget = z.object({
  kind: z.enum(['Pod', 'Deployment', 'Node']),
  name: Name,
});
export type DiagnoseTarget = z.infer<typeof DiagnoseTarget>;

const HelpCommand = z.object({ name: z.literal('help') });
const StatusCommand = z.object({ name: z.literal('status'), cluster: ClusterName.optional() });
const DiagnoseCommand = z.object({
  name: z.literal('diagnose'),
  cluster: ClusterName.optional(),
  namespace: NamespaceName.optional(),
  target: DiagnoseTarget.optional(),
});
const DeployCommand = z.object({
  name: z.literal('deploy'),
  app: Name,
  cluster: ClusterName.optional(),
  namespace: NamespaceName.optional(),
});
const RollbackCommand = z.object({
  name: z.literal('rollback'),
  app: Name,
  cluster: ClusterName.optional(),
  namespace: NamespaceName.optional(),
});
const WorkflowCommand = z.object({
  name: z.literal('workflow'),
  workflow: WorkflowName,
  inputs: z.record(InputKey, InputValue).default({}),
  cluster: ClusterName.optional(),
});

export const Command = z.discriminatedUnion('name', [
  HelpCommand,
  StatusCommand,
  DiagnoseCommand,
  DeployCommand,
  RollbackCommand,
  WorkflowCommand,
]);
/**
 * The commands a worker runs as skills against a cluster. `help` is answered by the bot;
 * `deploy` and `workflow` run as workflows for the orchestrator.
 */
export const SkillCommand = z.discriminatedUnion('name', [
  StatusCommand,
  DiagnoseCommand,
  RollbackCommand,
]);
export type SkillCommand = z.infer<typeof SkillCommand>;
export type Command = z.infer<typeof Command>;
export type CommandName = Command['name'];
