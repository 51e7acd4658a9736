import { InteractionCallbackBody, isEmptyMessage, MessageBody } from './discord-bodies.ts';
import { answerFlags, botMessage, editMessage, type Fake } from './discord-channel-routes.ts';
import { type CommandStore, commandOptions } from './discord-command-routes.ts';
import { publishCreate, publishDelete } from './discord-events.ts';
import {
  errors,
  noContent,
  ok,
  param,
  type Reply,
  type Route,
  type RouteRequest,
} from './discord-http.ts';
import { randomText, snowflake } from './discord-ids.ts';
import * as wire from './discord-payloads.ts';
import { MessageFlag, type MessageState } from './discord-world.ts';

/**
 * Interactions as Discord runs them: INTERACTION_CREATE for a button click or a slash command,
 * one callback within the deadline (3 s unless the test says otherwise; later is 10062 Unknown
 * interaction, a second one 40060), then the interaction's webhook for follow-ups and edits of
 * `@original`, which the interaction token authorises instead of the bot token.
 */
export type InteractionResponse = { type: number; data: unknown; ms: number };

type InteractionRecord = {
  id: string;
  token: string;
  type: 2 | 3;
  channelId: string;
  userId: string;
  commandName: string | undefined;
  componentMessageId: string | undefined;
  dispatchedAt: number;
  response: InteractionResponse | undefined;
  /** The message `@original` names once the interaction is answered. */
  originalId: string | undefined;
  followups: string[];
};

export type ButtonClick = {
  channelId: string;
  messageId: string;
  customId: string;
  userId: string;
  roles?: string[];
};

export type CommandRun = {
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  options?: Record<string, string>;
  roles?: string[];
};

const Callback = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  Modal: 9,
} as const;

export class Interactions {
  readonly #records = new Map<string, InteractionRecord>();
  readonly #fake: Fake;
  readonly #commands: CommandStore;
  readonly #deadlineMs: number;

  constructor(fake: Fake, commands: CommandStore, deadlineMs: number) {
    this.#fake = fake;
    this.#commands = commands;
    this.#deadlineMs = deadlineMs;
  }

  response(id: string): InteractionResponse | undefined {
    return this.#records.get(id)?.response;
  }

  clickButton(click: ButtonClick): { id: string; token: string } {
    const { world } = this.#fake;
    const message = world.messages.get(click.messageId);
    if (message === undefined || message.deleted || message.channelId !== click.channelId) {
      throw new Error(`no message ${click.messageId} in channel ${click.channelId} to click`);
    }
    const buttons = message.components.flatMap((row) => row.components ?? []);
    const button = buttons.find((b) => b.type === 2 && b.custom_id === click.customId);
    if (button === undefined) {
      const ids = buttons.map((b) => b.custom_id).join(', ');
      throw new Error(`message ${message.id} has no button ${click.customId} (it has: ${ids})`);
    }
    if (button.disabled === true) throw new Error(`button ${click.customId} is disabled`);
    return this.#dispatch(3, click.channelId, click.userId, click.roles, {
      commandName: undefined,
      componentMessageId: message.id,
      data: { custom_id: click.customId, component_type: 2 },
      extra: { message: wire.message(world, message, false) },
    });
  }

  runCommand(run: CommandRun): { id: string; token: string } {
    const command = this.#commands.find(run.name);
    if (command === undefined) {
      throw new Error(`no slash command /${run.name} is registered, so no one can run it`);
    }
    const options = commandOptions(command, run.subcommand, run.options ?? {});
    return this.#dispatch(2, run.channelId, run.userId, run.roles, {
      commandName: run.name,
      componentMessageId: undefined,
      data: {
        id: command.id,
        name: command.name,
        type: 1,
        ...(options.length === 0 ? {} : { options }),
        ...(command.guild_id === undefined ? {} : { guild_id: command.guild_id }),
      },
      extra: {},
    });
  }

  #dispatch(
    type: 2 | 3,
    channelId: string,
    userId: string,
    roles: string[] | undefined,
    details: {
      commandName: string | undefined;
      componentMessageId: string | undefined;
      data: unknown;
      extra: Record<string, unknown>;
    },
  ): { id: string; token: string } {
    const { world, gateway } = this.#fake;
    const channel = world.channels.get(channelId);
    if (channel === undefined) throw new Error(`no channel ${channelId}`);
    const id = snowflake();
    // Discord's tokens are URL-safe base64 of `interaction:<id>:<secret>`.
    const token = Buffer.from(`interaction:${id}:${randomText(48)}`).toString('base64url');
    const guildId = world.guildOf(channelId);
    const where =
      guildId === undefined
        ? { user: world.user(userId), context: 1, authorizing_integration_owners: { '1': userId } }
        : {
            guild_id: guildId,
            guild: { id: guildId, locale: 'en-US', features: [] },
            guild_locale: 'en-US',
            member: {
              ...wire.memberWithUser(world, userId, roles),
              permissions: world.permissions(roles ?? world.userState(userId).roles, userId),
            },
            context: 0,
            authorizing_integration_owners: { '0': guildId },
          };
    const payload = {
      id,
      application_id: world.applicationId,
      type,
      token,
      version: 1,
      data: details.data,
      channel: wire.channel(world, channel),
      channel_id: channelId,
      app_permissions: world.botPermissions(),
      locale: 'en-US',
      entitlements: [],
      attachment_size_limit: 10_485_760,
      ...where,
      ...details.extra,
    };
    this.#records.set(id, {
      id,
      token,
      type,
      channelId,
      userId,
      commandName: details.commandName,
      componentMessageId: details.componentMessageId,
      dispatchedAt: Date.now(),
      response: undefined,
      originalId: undefined,
      followups: [],
    });
    // Interactions reach the bot whatever intents it identified with.
    gateway.dispatch('INTERACTION_CREATE', () => payload);
    world.changed();
    return { id, token };
  }

  #newAnswer(record: InteractionRecord, fields: Partial<MessageState>): Partial<MessageState> {
    return {
      webhookId: this.#fake.world.applicationId,
      type: record.type === 2 ? 20 : 0,
      interaction: {
        id: record.id,
        type: record.type,
        userId: record.userId,
        name: record.commandName,
      },
      ...fields,
    };
  }

  #callback(request: RouteRequest): Reply {
    const { world, gateway } = this.#fake;
    const record = this.#records.get(param(request, 'interaction'));
    if (record === undefined || record.token !== param(request, 'token')) {
      return errors.unknownInteraction();
    }
    if (record.response !== undefined) return errors.alreadyAcknowledged();
    const ms = Date.now() - record.dispatchedAt;
    if (ms > this.#deadlineMs) return errors.unknownInteraction();
    const callback = InteractionCallbackBody.safeParse(request.body);
    if (!callback.success) return errors.invalidBody(callback.error);
    const { type, data } = callback.data;
    const parsed = MessageBody.safeParse(data ?? {});
    if (!parsed.success) return errors.invalidBody(parsed.error);
    const component = record.type === 3;
    let message: MessageState | undefined;
    if (type === Callback.ChannelMessageWithSource || type === Callback.UpdateMessage) {
      if (type === Callback.ChannelMessageWithSource) {
        if (isEmptyMessage(parsed.data, request.files.length)) return errors.emptyMessage();
        message = botMessage(
          world,
          record.channelId,
          parsed.data,
          request.files,
          this.#newAnswer(record, { flags: (parsed.data.flags ?? 0) & answerFlags }),
        );
        publishCreate(world, gateway, message);
      } else {
        if (!component) return errors.invalidResponseType();
        message = world.messages.get(record.componentMessageId ?? '');
        if (message === undefined) return errors.unknownMessage();
        const edited = editMessage(this.#fake, message, { ...request, body: data ?? {} });
        if (edited.status !== 200) return edited;
      }
    } else if (type === Callback.DeferredChannelMessageWithSource) {
      const ephemeral = ((parsed.data.flags ?? 0) & MessageFlag.Ephemeral) !== 0;
      message = world.newMessage({
        channelId: record.channelId,
        authorId: world.botUserId,
        ...this.#newAnswer(record, {
          flags: MessageFlag.Loading | (ephemeral ? MessageFlag.Ephemeral : 0),
        }),
      });
      publishCreate(world, gateway, message);
    } else if (type === Callback.DeferredUpdateMessage) {
      if (!component) return errors.invalidResponseType();
      message = world.messages.get(record.componentMessageId ?? '');
    } else if (type !== Callback.Modal) {
      return errors.invalidResponseType();
    }
    record.response = { type, data, ms };
    record.originalId = message?.id;
    world.changed();
    if (request.query.get('with_response') !== 'true') return noContent;
    return ok({
      interaction: {
        id: record.id,
        type: record.type,
        ...(message === undefined
          ? {}
          : {
              response_message_id: message.id,
              response_message_loading: (message.flags & MessageFlag.Loading) !== 0,
              response_message_ephemeral: (message.flags & MessageFlag.Ephemeral) !== 0,
            }),
      },
      resource: {
        type,
        ...(message === undefined || type === Callback.DeferredUpdateMessage
          ? {}
          : { message: wire.message(world, message, false) }),
      },
    });
  }

  /** The interaction a webhook route names, or the error Discord gives for it. */
  #webhook(request: RouteRequest): InteractionRecord | Reply {
    if (param(request, 'app') !== this.#fake.world.applicationId) return errors.unknownWebhook();
    const token = param(request, 'token');
    const record = [...this.#records.values()].find((r) => r.token === token);
    if (record === undefined) return errors.invalidWebhookToken();
    if (record.response === undefined) return errors.unknownWebhook();
    return record;
  }

  #webhookMessage(request: RouteRequest): MessageState | Reply {
    const record = this.#webhook(request);
    if (!('followups' in record)) return record;
    const wanted = param(request, 'message');
    const id = wanted === '@original' ? record.originalId : wanted;
    const message = id === undefined ? undefined : this.#fake.world.messages.get(id);
    const owned = id === record.originalId || (id !== undefined && record.followups.includes(id));
    if (message === undefined || message.deleted || !owned) return errors.unknownMessage();
    return message;
  }

  #followUp(request: RouteRequest): Reply {
    const { world, gateway } = this.#fake;
    const record = this.#webhook(request);
    if (!('followups' in record)) return record;
    const parsed = MessageBody.safeParse(request.body);
    if (!parsed.success) return errors.invalidBody(parsed.error);
    if (isEmptyMessage(parsed.data, request.files.length)) return errors.emptyMessage();
    const original = world.messages.get(record.originalId ?? '');
    let message: MessageState;
    if (
      record.response?.type === Callback.DeferredChannelMessageWithSource &&
      original !== undefined &&
      (original.flags & MessageFlag.Loading) !== 0
    ) {
      // After a deferred reply the first follow-up fills the "thinking…" message, keeping the
      // ephemerality chosen when deferring.
      const edited = editMessage(this.#fake, original, request);
      if (edited.status !== 200) return edited;
      message = original;
    } else {
      message = botMessage(
        world,
        record.channelId,
        parsed.data,
        request.files,
        this.#newAnswer(record, { flags: (parsed.data.flags ?? 0) & answerFlags }),
      );
      record.followups.push(message.id);
      publishCreate(world, gateway, message);
    }
    return request.query.get('wait') === 'true'
      ? ok(wire.message(world, message, false))
      : noContent;
  }

  routes(): Route[] {
    const { world, gateway } = this.#fake;
    const route = (method: string, pattern: string, handle: Route['handle']): Route => ({
      method,
      pattern,
      auth: false,
      handle,
    });
    const onMessage =
      (act: (message: MessageState, request: RouteRequest) => Reply) => (request: RouteRequest) => {
        const found = this.#webhookMessage(request);
        return 'id' in found ? act(found, request) : found;
      };
    return [
      route('POST', '/interactions/:interaction/:token/callback', (r) => this.#callback(r)),
      route('POST', '/webhooks/:app/:token', (r) => this.#followUp(r)),
      route(
        'GET',
        '/webhooks/:app/:token/messages/:message',
        onMessage((m) => ok(wire.message(world, m, false))),
      ),
      route(
        'PATCH',
        '/webhooks/:app/:token/messages/:message',
        onMessage((m, r) => editMessage(this.#fake, m, r)),
      ),
      route(
        'DELETE',
        '/webhooks/:app/:token/messages/:message',
        onMessage((m) => {
          m.deleted = true;
          publishDelete(world, gateway, m);
          return noContent;
        }),
      ),
    ];
  }
}
