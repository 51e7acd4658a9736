import type { ChatMessageInput } from '../chat/message.ts';
import type { Binding } from '../config/policy-schema.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { COMMAND_DEFINITIONS } from './definitions.ts';
import { COMMAND_NAMES } from './grammar.ts';

/** Chat's list of commands, one line each, as `help` and a refusal to parse show it. */
export const COMMAND_HELP = [
  ...COMMAND_NAMES.map((name) => COMMAND_DEFINITIONS[name].synopsis),
  'anything else, addressed to me — a question for the agents',
].join('\n');

/** The terminal runs the skills in this order in its usage. */
const CLI_ORDER = ['status', 'diagnose', 'rollback', 'deploy', 'workflow'] as const;

const cliOf = (name: (typeof CLI_ORDER)[number]) =>
  COMMAND_DEFINITIONS[name].cli ?? { usage: name, about: '' };

/** Terminal-only workflow commands: they read files and need no cluster. */
const WORKFLOW_ONLY = [
  {
    name: 'list',
    usage: 'workflow list',
    about: 'the workflows of WORKFLOWS_DIR: name, trigger, description, file',
  },
  {
    name: 'check',
    usage: 'workflow check FILE…',
    about: `checks workflow files (YAML or Markdown), for CI: each problem on stderr as
          FILE:LINE: field: message, "FILE: ok" on stdout for a good one; exit 1 on any problem`,
  },
];

/** `coxswain status --help` and the other skills' usage in the terminal. */
export const CLUSTER_USAGE = `Usage: ${CLI_ORDER.map((name) => `coxswain ${cliOf(name).usage}`).join('\n       ')}
${WORKFLOW_ONLY.map((w) => `       coxswain ${w.usage}`).join('\n')}

${CLI_ORDER.map((name) => `${name.padEnd(10)}${cliOf(name).about}`).join('\n')}
${WORKFLOW_ONLY.map((w) => `${w.name.padEnd(10)}${w.about}`).join('\n')}

The cluster is the current kubeconfig context (KUBECONFIG or ~/.kube/config, or in-cluster
credentials), or one named in the config file (COXSWAIN_CONFIG) with --cluster.
`;

/** A workflow as `help` lists it. */
type WorkflowSummary = {
  name: string;
  description: string | undefined;
  inputs: readonly string[];
};

/** `help` in a channel: the commands, what the channel's binding allows, and the workflows. */
export function helpMessage(
  channel: ChannelRef,
  binding: Binding | undefined,
  workflows: Iterable<WorkflowSummary>,
): ChatMessageInput {
  const where =
    binding === undefined
      ? `This channel (${channel}) has no binding yet, so only help works here. An operator binds it in the config file (COXSWAIN_CONFIG, bindings:).`
      : `This channel may read clusters ${binding.clusters.join(', ')}, namespaces ${binding.namespaces.join(', ')}; changes up to the ${binding.maxTier} tier.`;
  const listed = [...workflows].map(
    (w) =>
      `${w.name}${w.inputs.length > 0 ? ` ${w.inputs.map((k) => `${k}=…`).join(' ')}` : ''}${w.description ? ` — ${w.description}` : ''}`,
  );
  return {
    headline: 'Coxswain commands',
    text: `${COMMAND_HELP}\n\n${where}`,
    tone: 'info',
    ...(listed.length === 0 ? {} : { sections: [{ title: 'Workflows', code: listed.join('\n') }] }),
    ...(binding === undefined
      ? {}
      : {
          buttons: [
            {
              action: 'command' as const,
              label: 'Cluster status',
              value: 'status',
              style: 'primary' as const,
            },
          ],
        }),
  };
}
