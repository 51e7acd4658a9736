import type { ChatInputCommandInteraction } from 'discord.js';

/**
 * `/coxswain` as a Discord application command: one subcommand per skill, plus `ask` for a
 * question. The chosen options are turned back into the text syntax every platform shares, and
 * parsed by the same parser.
 */
const STRING = 3;
const SUBCOMMAND = 1;
const option = (name: string, description: string, required = false) => ({
  type: STRING,
  name,
  description,
  required,
});
const cluster = option('cluster', 'Cluster name (default: the channel’s first)');
const namespace = option('namespace', 'Namespace');

export const DISCORD_COMMANDS = [
  {
    name: 'coxswain',
    description: 'Ask Coxswain about the cluster',
    type: 1,
    options: [
      {
        type: SUBCOMMAND,
        name: 'status',
        description: 'Nodes, namespaces with problems, counts',
        options: [cluster],
      },
      {
        type: SUBCOMMAND,
        name: 'diagnose',
        description: 'Findings with evidence and proposed fixes',
        options: [option('target', 'KIND/NAME, e.g. deployment/checkout'), namespace, cluster],
      },
      {
        type: SUBCOMMAND,
        name: 'deploy',
        description: 'Deploy or update an app',
        options: [option('app', 'The app', true), namespace, cluster],
      },
      {
        type: SUBCOMMAND,
        name: 'rollback',
        description: 'Propose rolling a deployment back to its previous revision',
        options: [option('app', 'The deployment', true), namespace, cluster],
      },
      {
        type: SUBCOMMAND,
        name: 'workflow',
        description: 'Run a workflow',
        options: [
          option('name', 'The workflow', true),
          option('inputs', 'key=value pairs, separated by spaces'),
          cluster,
        ],
      },
      { type: SUBCOMMAND, name: 'help', description: 'What Coxswain can do here' },
      {
        type: SUBCOMMAND,
        name: 'ask',
        description: 'Ask the agents a question',
        options: [option('question', 'Your question', true)],
      },
    ],
  },
] as const;

/** The text a person would have typed for the subcommand and options chosen. */
export function commandText(interaction: ChatInputCommandInteraction): string {
  const options = interaction.options;
  const sub = options.getSubcommand(true);
  const get = (name: string) => options.getString(name)?.trim() || undefined;
  const words: string[] = [];
  const flag = (name: string, value: string | undefined) => {
    if (value !== undefined) words.push(name, value);
  };
  switch (sub) {
    case 'ask':
      return get('question') ?? '';
    case 'workflow':
      words.push('workflow', get('name') ?? '', get('inputs') ?? '');
      break;
    case 'deploy':
    case 'rollback':
      words.push(sub, get('app') ?? '');
      flag('-n', get('namespace'));
      break;
    case 'diagnose':
      words.push('diagnose', get('target') ?? '');
      flag('-n', get('namespace'));
      break;
    default:
      words.push(sub);
  }
  flag('--cluster', get('cluster'));
  return words.filter((w) => w !== '').join(' ');
}
