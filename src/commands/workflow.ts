import type { Command } from '../queue/command-data.ts';

/** The commands that run a Markdown workflow for the orchestrator. */
export type WorkflowCommand = Extract<Command, { name: 'deploy' | 'workflow' }>;

/** The workflow `deploy APP` runs: deploying is a workflow like any other, under this name. */
const DEPLOY_WORKFLOW = 'deploy-app';

/** Which workflow a command runs, and with which inputs: `deploy APP -n NS` gives app and namespace. */
export function workflowRequest(command: WorkflowCommand): {
  name: string;
  inputs: Readonly<Record<string, string>>;
} {
  if (command.name === 'workflow') return { name: command.workflow, inputs: command.inputs };
  return {
    name: DEPLOY_WORKFLOW,
    inputs: {
      app: command.app,
      ...(command.namespace === undefined ? {} : { namespace: command.namespace }),
    },
  };
}
