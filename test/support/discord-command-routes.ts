import { z } from 'zod';
import { CommandBody, type CommandOption } from './discord-bodies.ts';
import { errors, fail, noContent, ok, param, type Reply, type Route } from './discord-http.ts';
import { snowflake } from './discord-ids.ts';
import type { DiscordWorld } from './discord-world.ts';

/**
 * Application commands, global and for the guild: bulk overwrite (PUT), create or update one
 * (POST), list, get and delete. A command keeps its id across overwrites while its name and type
 * stay, as Discord keeps it.
 */
export type Command = {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  description: string;
  options: CommandOption[];
  default_member_permissions: string | null;
  contexts: number[] | null;
  integration_types: number[];
  nsfw: boolean;
  guild_id?: string;
};

export class CommandStore {
  readonly all: Command[] = [];
  readonly #world: DiscordWorld;

  constructor(world: DiscordWorld) {
    this.#world = world;
  }

  /** The command a user can run here: the guild's one first, then the global one. */
  find(name: string, type = 1): Command | undefined {
    return (
      this.all.find((c) => c.name === name && c.type === type && c.guild_id !== undefined) ??
      this.all.find((c) => c.name === name && c.type === type)
    );
  }

  #scope(guildId: string | undefined): Command[] {
    return this.all.filter((c) => c.guild_id === guildId);
  }

  #build(body: CommandBody, guildId: string | undefined, previous: Command | undefined): Command {
    const contexts = z.array(z.number()).safeParse(body.contexts);
    const permissions = z.string().nullable().safeParse(body.default_member_permissions);
    return {
      id: previous?.id ?? snowflake(),
      application_id: this.#world.applicationId,
      version: snowflake(),
      type: body.type ?? 1,
      name: body.name,
      description: body.description ?? '',
      options: body.options ?? [],
      default_member_permissions: permissions.success ? permissions.data : null,
      contexts: contexts.success ? contexts.data : null,
      integration_types: [0],
      nsfw: body.nsfw === true,
      ...(guildId === undefined ? {} : { guild_id: guildId }),
    };
  }

  overwrite(bodies: unknown, guildId: string | undefined): Reply {
    const parsed = z.array(CommandBody).max(110).safeParse(bodies);
    if (!parsed.success) return errors.invalidBody(parsed.error);
    const missing = parsed.data.findIndex((c) => (c.type ?? 1) === 1 && !c.description);
    if (missing >= 0) return descriptionRequired(missing);
    const previous = this.#scope(guildId);
    const next = parsed.data.map((body) =>
      this.#build(
        body,
        guildId,
        previous.find((c) => c.name === body.name && c.type === (body.type ?? 1)),
      ),
    );
    for (const command of previous) this.all.splice(this.all.indexOf(command), 1);
    this.all.push(...next);
    this.#world.changed();
    return ok(next);
  }

  upsert(body: unknown, guildId: string | undefined): Reply {
    const parsed = CommandBody.safeParse(body);
    if (!parsed.success) return errors.invalidBody(parsed.error);
    if ((parsed.data.type ?? 1) === 1 && !parsed.data.description) return descriptionRequired();
    const scope = this.#scope(guildId);
    const previous = scope.find(
      (c) => c.name === parsed.data.name && c.type === (parsed.data.type ?? 1),
    );
    const command = this.#build(parsed.data, guildId, previous);
    if (previous === undefined) this.all.push(command);
    else this.all.splice(this.all.indexOf(previous), 1, command);
    this.#world.changed();
    return ok(command, previous === undefined ? 201 : 200);
  }

  routes(): Route[] {
    const world = this.#world;
    const scoped = (
      method: string,
      suffix: string,
      handle: (guildId: string | undefined, request: Parameters<Route['handle']>[0]) => Reply,
    ): Route[] => [
      {
        method,
        pattern: `/applications/:app/commands${suffix}`,
        auth: true,
        handle: (r) =>
          param(r, 'app') === world.applicationId
            ? handle(undefined, r)
            : errors.unknownApplication(),
      },
      {
        method,
        pattern: `/applications/:app/guilds/:guild/commands${suffix}`,
        auth: true,
        handle: (r) => {
          if (param(r, 'app') !== world.applicationId) return errors.unknownApplication();
          if (param(r, 'guild') !== world.guildId) return fail(404, 10004, 'Unknown Guild');
          return handle(world.guildId, r);
        },
      },
    ];
    const byId = (guildId: string | undefined, id: string) =>
      this.#scope(guildId).find((c) => c.id === id);
    return [
      {
        method: 'GET',
        pattern: '/applications/@me',
        auth: true,
        handle: () =>
          ok({
            id: world.applicationId,
            name: world.user(world.botUserId).username,
            icon: null,
            description: '',
            bot_public: false,
            bot_require_code_grant: false,
            verify_key: 'f'.repeat(64),
            flags: 0,
            team: null,
            owner: world.user(world.ownerId),
            bot: world.user(world.botUserId),
            approximate_guild_count: 1,
          }),
      },
      ...scoped('GET', '', (guildId) => ok(this.#scope(guildId))),
      ...scoped('PUT', '', (guildId, r) => this.overwrite(r.body, guildId)),
      ...scoped('POST', '', (guildId, r) => this.upsert(r.body, guildId)),
      ...scoped('GET', '/:command', (guildId, r) => {
        const command = byId(guildId, param(r, 'command'));
        return command === undefined ? unknownCommand() : ok(command);
      }),
      ...scoped('DELETE', '/:command', (guildId, r) => {
        const command = byId(guildId, param(r, 'command'));
        if (command === undefined) return unknownCommand();
        this.all.splice(this.all.indexOf(command), 1);
        world.changed();
        return noContent;
      }),
    ];
  }
}

function unknownCommand(): Reply {
  return fail(404, 10063, 'Unknown application command');
}

function descriptionRequired(index?: number): Reply {
  const leaf = {
    description: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] },
  };
  return {
    status: 400,
    body: {
      message: 'Invalid Form Body',
      code: 50035,
      errors: index === undefined ? leaf : { [String(index)]: leaf },
    },
  };
}

type OptionValue = { type: number; name: string; value: string | number | boolean };

/**
 * The options a Discord client would send for a run: only those the command declares, typed as
 * it declares them, with its required ones present; anything else throws, as no user could send it.
 */
export function commandOptions(
  command: Command,
  subcommand: string | undefined,
  options: Record<string, string>,
) {
  const given = Object.entries(options);
  if (subcommand === undefined) return values(command.options, given, `/${command.name}`);
  const sub = command.options.find((o) => o.type === 1 && o.name === subcommand);
  if (sub === undefined) {
    throw new Error(`/${command.name} has no subcommand ${subcommand}`);
  }
  const where = `/${command.name} ${subcommand}`;
  return [{ type: 1, name: sub.name, options: values(sub.options ?? [], given, where) }];
}

function values(
  declared: Command['options'],
  given: [string, string][],
  where: string,
): OptionValue[] {
  for (const option of declared) {
    if (option.required === true && !given.some(([name]) => name === option.name)) {
      throw new Error(`${where} needs option ${option.name}`);
    }
  }
  return given.map(([name, raw]) => {
    const option = declared.find((o) => o.name === name);
    if (option === undefined) throw new Error(`${where} has no option ${name}`);
    const value =
      option.type === 4 || option.type === 10
        ? Number(raw)
        : option.type === 5
          ? raw === 'true'
          : raw;
    return { type: option.type, name, value };
  });
}
