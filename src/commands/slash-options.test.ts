import type { ChatInputCommandInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandText, registrationBody } from '../chat/discord/commands.ts';
import { COMMAND_NAMES, parseCommandText } from './grammar.ts';
import { SLASH_COMMAND } from './slash-options.ts';

/** An interaction with only what `commandText` reads: the subcommand and string options. */
const chosen = (sub: string, values: Record<string, string>) =>
  ({
    options: { getSubcommand: () => sub, getString: (name: string) => values[name] ?? null },
  }) as unknown as ChatInputCommandInteraction;

describe('SLASH_COMMAND', () => {
  it('has a subcommand for every command, and ask', () => {
    const names = SLASH_COMMAND.subcommands.map((s) => s.name);

    expect([...names].sort()).toEqual([...COMMAND_NAMES, 'ask'].sort());
  });

  it('registers string options, required where the grammar needs them', () => {
    const [body] = registrationBody(SLASH_COMMAND);
    const deploy = body?.options.find((o) => o.name === 'deploy');

    expect(body?.name).toBe('coxswain');
    expect(deploy?.options).toContainEqual({
      type: 3,
      name: 'app',
      description: 'The app',
      required: true,
    });
    expect(body?.options.find((o) => o.name === 'help')).not.toHaveProperty('options');
  });

  it('turns chosen options into text the grammar reads as the same command', () => {
    const text = commandText(
      chosen('diagnose', { target: 'deployment/api', namespace: 'shop', cluster: 'prod' }),
      SLASH_COMMAND,
    );

    expect(text).toBe('diagnose deployment/api -n shop --cluster prod');
    expect(parseCommandText(text)).toEqual({
      ok: true,
      command: {
        name: 'diagnose',
        namespace: 'shop',
        cluster: 'prod',
        target: { kind: 'Deployment', name: 'api' },
      },
    });
  });

  it('passes a question on as typed', () => {
    const text = commandText(chosen('ask', { question: ' why is status red? ' }), SLASH_COMMAND);

    expect(text).toBe('why is status red?');
  });
});
