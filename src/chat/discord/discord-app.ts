import { Client, Events, GatewayIntentBits, Partials, REST, Routes } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import type { ChatAdapter } from '../adapter.ts';
import type { InboundHandlers } from '../inbound.ts';
import type { MessageRefs } from '../message-refs.ts';
import type { Outbox } from '../post-to-chat.ts';
import { registrationBody, type SlashCommand } from './commands.ts';
import { discordAdapter } from './discord-adapter.ts';
import { listenForInputs } from './listeners.ts';

/**
 * Discord through discord.js: the gateway with the three intents it needs (no privileged ones:
 * a bot sees the text of messages that mention it and of DMs without Message Content), the
 * `/coxswain` command registered at start, buttons, and answers in a thread on the message that
 * asked. Every interaction is answered within Discord's three seconds: at once when the work is
 * quick, deferred when it is not.
 */
type DiscordOptions = {
  token: string;
  guildId: string | undefined;
  apiUrl: string | undefined;
};

export type DiscordDeps = {
  handlers: InboundHandlers;
  outbox: Outbox;
  refs: MessageRefs;
  log: Logger;
  /** `/coxswain`'s subcommands and options, as the grammar defines them. */
  slashCommand: SlashCommand;
  onInput?: (kind: 'mention' | 'dm' | 'command' | 'click') => void;
  /** How long an interaction may take before it is deferred; Discord allows 3 s in all. */
  deferAfterMs?: number;
};

type Discord = {
  adapter: ChatAdapter;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createDiscord(options: DiscordOptions, deps: DiscordDeps): Discord {
  const log = deps.log.child({ platform: 'discord' });
  const api = options.apiUrl === undefined ? {} : { api: options.apiUrl };
  // The outbox's own REST client hands a 429 back instead of waiting in a delivery slot.
  const outboxRest = new REST({ ...api, rejectOnRateLimit: () => true }).setToken(options.token);
  // A gateway client for each start: one destroyed does not log in again reliably, and a bot
  // replica that stepped down as leader starts again when it leads again.
  let client: Client | undefined;

  return {
    adapter: discordAdapter(outboxRest, deps.refs, log),
    async start() {
      const current = gatewayClient(api, deps, log);
      client = current;
      const ready = new Promise<void>((resolve) =>
        current.once(Events.ClientReady, () => resolve()),
      );
      await current.login(options.token);
      await ready;
      const appId = current.application?.id ?? current.user?.id ?? '';
      await current.rest.put(
        options.guildId === undefined
          ? Routes.applicationCommands(appId)
          : Routes.applicationGuildCommands(appId, options.guildId),
        { body: registrationBody(deps.slashCommand) },
      );
      log.info({ user: current.user?.tag, guild: options.guildId }, 'discord connected');
    },
    async stop() {
      const current = client;
      client = undefined;
      await current?.destroy();
    },
  };
}

function gatewayClient(api: { api?: string }, deps: DiscordDeps, log: Logger): Client {
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    rest: api,
    // Every reply and follow-up the gateway client sends pings no one, whatever its text holds.
    allowedMentions: { parse: [] },
  });
  listenForInputs(client, deps, log);
  return client;
}
