import type { SlashCommand } from '../chat/discord/commands.ts';
import { COMMAND_DEFINITIONS } from './definitions.ts';

/** Discord lists the subcommands in this order. */
const SLASH_ORDER = ['status', 'diagnose', 'deploy', 'rollback', 'workflow', 'help'] as const;

/**
 * `/coxswain` on Discord: a subcommand per command, from the same definitions as `help`, and
 * `ask` for a question to the agents.
 */
export const SLASH_COMMAND: SlashCommand = {
  name: 'coxswain',
  description: 'Ask Coxswain about the cluster',
  subcommands: [
    ...SLASH_ORDER.map((name) => ({ name, ...COMMAND_DEFINITIONS[name].slash })),
    {
      name: 'ask',
      description: 'Ask the agents a question',
      options: [{ name: 'question', description: 'Your question', required: true }],
      question: true,
    },
  ],
};
