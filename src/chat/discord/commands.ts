import type { ChatInputCommandInteraction } from 'discord.js';

/**
 * `/coxswain` as a Discord application command: one subcommand per skill, plus one for a
 * question. What the subcommands are is defined with the grammar (`commands/slash-options.ts`)
 * and handed in; here it is registered, and the chosen options are turned back into the text
 * syntax every platform shares, to be parsed by the same parser.
 */
type SlashOption = {
  name: string;
  description: string;
  required?: boolean;
  /** The flag the option becomes in the typed syntax (`-n`); absent: a positional word. */
  flag?: string;
};

type SlashSubcommand = {
  name: string;
  description: string;
  options: readonly SlashOption[];
  /** Its one option is a question, passed on as typed rather than as a command. */
  question?: boolean;
};

export type SlashCommand = {
  name: string;
  description: string;
  subcommands: readonly SlashSubcommand[];
};

const STRING = 3;
const SUBCOMMAND = 1;
const CHAT_INPUT = 1;

/** The body Discord's API takes to register the command. */
export function registrationBody(command: SlashCommand) {
  return [
    {
      name: command.name,
      description: command.description,
      type: CHAT_INPUT,
      options: command.subcommands.map((sub) => ({
        type: SUBCOMMAND,
        name: sub.name,
        description: sub.description,
        ...(sub.options.length === 0
          ? {}
          : {
              options: sub.options.map((option) => ({
                type: STRING,
                name: option.name,
                description: option.description,
                required: option.required ?? false,
              })),
            }),
      })),
    },
  ];
}

/** The text a person would have typed for the subcommand and options chosen. */
export function commandText(
  interaction: ChatInputCommandInteraction,
  command: SlashCommand,
): string {
  const options = interaction.options;
  const sub = options.getSubcommand(true);
  const get = (name: string) => options.getString(name)?.trim() || undefined;
  const definition = command.subcommands.find((s) => s.name === sub);
  if (definition?.question === true) return get(definition.options[0]?.name ?? '') ?? '';
  const words: string[] = [sub];
  for (const option of definition?.options ?? []) {
    const value = get(option.name);
    if (option.flag === undefined) words.push(value ?? '');
    else if (value !== undefined) words.push(option.flag, value);
  }
  return words.filter((w) => w !== '').join(' ');
}
