import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channelRoutes, type Fake, mentionsIn } from './discord-channel-routes.ts';
import { type Command, CommandStore } from './discord-command-routes.ts';
import {
  publishCreate,
  publishDelete,
  publishThreadDelete,
  publishThreadUpdate,
} from './discord-events.ts';
import { Gateway, type Identify } from './discord-gateway.ts';
import { randomText } from './discord-ids.ts';
import {
  type ButtonClick,
  type CommandRun,
  type InteractionResponse,
  Interactions,
} from './discord-interactions.ts';
import { type RecordedRequest, RestServer, type RouteMatcher } from './discord-rest.ts';
import { setArchived } from './discord-thread-routes.ts';
import {
  type Attachment,
  DiscordWorld,
  MessageFlag,
  type MessageVersion,
} from './discord-world.ts';

/**
 * A local Discord for tests, speaking the real wire protocol (REST v10 and the gateway, plain
 * JSON frames) so the real discord.js runs against it. One guild with text channels, an
 * approvers role, the bot and whatever users a test adds.
 *
 *   const discord = await FakeDiscord.start();          // channels 'ops' and 'alerts'
 *   const client = new Client({
 *     intents: [Guilds, GuildMessages, DirectMessages],  // MessageContent too, to read chatter
 *     partials: [Partials.Channel],                      // DMs arrive in uncached channels
 *     rest: { api: discord.apiUrl },                     // …/api; @discordjs/rest adds /v10
 *   });
 *   await client.login(discord.token);                  // then wait for 'clientReady'
 *   await discord.ready();
 *
 *   const alice = discord.addUser('alice', [discord.roles.approver]);
 *   discord.sendMessage({ channelId: discord.channels.ops, userId: alice, content: 'why?',
 *     mentionBot: true })                               // → message id
 *   discord.sendMessage({ userId: alice, content: 'hi', dm: true })
 *   discord.clickButton({ channelId, messageId, customId, userId })          // → { id, token }
 *   discord.runCommand({ channelId, userId, name: 'coxswain', subcommand: 'ask',
 *     options: { question: '…' } })                     // → { id, token }
 *   await discord.interactionResponse(id)               // { type, data, ms } of the callback
 *   discord.messages(channelId) / .threads / .requests / .commands / .identify / .problems
 *   discord.deleteMessage(channelId, id) / .deleteThread(id) / .archiveThread(id, { locked })
 *                                                       // as a person or moderator would
 *   await discord.waitFor((d) => d.messages(channelId).find(…))
 *   discord.rateLimit('POST /channels/:id/messages', 1, 0.2)
 *   discord.loseAnswers('POST /channels/:id/messages', 1)  // done, then answered 502
 *   discord.disconnect()                                // drop the socket; discord.js RESUMEs
 *   await client.destroy(); await discord.close();
 *
 * What a test sees of Discord's rules:
 * - The application id is the bot's user id, as for every application made since 2016.
 * - Without the MESSAGE_CONTENT intent, a guild message that neither mentions the bot nor comes
 *   from it arrives with empty content, embeds and components, as in production.
 * - The bot receives MESSAGE_CREATE (and MESSAGE_UPDATE) for its own messages too; ephemeral
 *   ones are never dispatched.
 * - A thread started from a message has the message's id; a second one is 400 160004, even
 *   after the first was deleted. A deleted thread is 404 10003 Unknown Channel, its messages
 *   gone with it; the message it started from stays. A thread whose message was deleted stays.
 * - Sending to an archived thread reopens it; editing in one is 400 50083 until PATCH
 *   `/channels/{thread}` sets `archived: false`. A locked thread refuses a bot without Manage
 *   Threads (403 50083 while archived, 160005 after), and so does reopening it (50013).
 * - A post with `nonce` and `enforce_nonce: true` that repeats one the bot made in the last few
 *   minutes answers that message and makes no other.
 * - An interaction must be answered within `interactionDeadlineMs` (3 s): later is 404 10062,
 *   twice is 400 40060. Follow-ups and `@original` go through /webhooks/{app}/{token}, which
 *   the interaction token authorises (no bot token); before the callback they answer 10015.
 *   After a deferred reply (type 5) the first follow-up fills the "thinking…" message.
 * - Message bodies are held to Discord's limits (2,000 characters, 5 rows of 5 buttons, embed
 *   sizes…): 400 50035 with the field's errors, or 50006 for an empty message.
 * - A rate limit answers 429 with Retry-After, X-RateLimit-Remaining: 0 and a JSON body.
 *   @discordjs/rest waits Retry-After (+50 ms) and retries by itself, so the caller's promise
 *   just resolves later and `requests` shows the 429 first; for channel routes it also emits
 *   `rateLimited` on `client.rest`. Interaction callbacks are retried without that event,
 *   and the retry still counts against the deadline. With `rest: { rejectOnRateLimit }` the
 *   client throws a RateLimitError instead.
 * - The gateway speaks JSON without zlib: a client asking for compression (zlib-sync installed)
 *   is closed with 4012 and `ready()` rejects with the reason.
 * - `close()` ends a session still open with close code 4004, which discord.js does not retry;
 *   destroy the client first to keep its log quiet.
 */
export type FakeDiscordOptions<C extends string = DefaultChannel> = {
  /** Names of the guild's text channels; `ops` and `alerts` unless given. */
  channels?: readonly C[];
  botName?: string;
  /** HELLO's heartbeat_interval; Discord's is 41.25 s. */
  heartbeatIntervalMs?: number;
  interactionDeadlineMs?: number;
  /** Whether the bot's role has Manage Threads (true unless told; README's invite leaves it out). */
  botManagesThreads?: boolean;
};

export type ShownMessage = {
  id: string;
  channel_id: string;
  author_id: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: Attachment[];
  flags: number;
  ephemeral: boolean;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string };
  thread_id?: string;
  /** The versions an edit replaced, oldest first. */
  edits: MessageVersion[];
};

export type UserMessage = {
  /** Ignored for a DM, which goes to the user's DM channel. */
  channelId?: string;
  userId: string;
  content: string;
  mentionBot?: boolean;
  dm?: boolean;
  threadId?: string;
};

export type ShownThread = {
  id: string;
  parentId: string;
  name: string;
  archived: boolean;
  locked: boolean;
};

type DefaultChannel = 'ops' | 'alerts';

export class FakeDiscord<C extends string = DefaultChannel> {
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  /** Text channel ids by name. */
  readonly channels: Readonly<Record<C, string>>;
  readonly roles: { readonly approver: string; readonly bot: string };
  readonly #world: DiscordWorld;
  readonly #server: Server;
  readonly #gateway: Gateway;
  readonly #rest: RestServer;
  readonly #commands: CommandStore;
  readonly #interactions: Interactions;
  #port = 0;

  private constructor(options: FakeDiscordOptions<C>, channelNames: readonly C[]) {
    const world = new DiscordWorld(
      channelNames,
      options.botName ?? 'coxswain',
      options.botManagesThreads ?? true,
    );
    this.#world = world;
    this.applicationId = world.applicationId;
    this.botUserId = world.botUserId;
    this.guildId = world.guildId;
    this.token = `${Buffer.from(world.botUserId).toString('base64url')}.${randomText(4)}.${randomText(28)}`;
    const ids = [...world.channels.values()].map((c) => c.id);
    // fromEntries cannot know the keys are exactly the channel names it was given.
    this.channels = Object.fromEntries(channelNames.map((name, i) => [name, ids[i]])) as Record<
      C,
      string
    >;
    this.roles = { approver: world.approverRoleId, bot: world.botRoleId };
    this.#server = createServer((req, res) => void this.#rest.handle(req, res));
    const gatewayUrl = () => `ws://127.0.0.1:${this.#port}`;
    this.#gateway = new Gateway(this.#server, world, {
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      url: gatewayUrl,
    });
    const fake: Fake = { world, gateway: this.#gateway, gatewayUrl };
    this.#commands = new CommandStore(world);
    this.#interactions = new Interactions(
      fake,
      this.#commands,
      options.interactionDeadlineMs ?? 3000,
    );
    this.#rest = new RestServer(
      [...channelRoutes(fake), ...this.#commands.routes(), ...this.#interactions.routes()],
      this.token,
      () => world.changed(),
    );
  }

  static async start(options?: FakeDiscordOptions): Promise<FakeDiscord>;
  static async start<C extends string>(
    options: FakeDiscordOptions<C> & { channels: readonly C[] },
  ): Promise<FakeDiscord<C>>;
  static async start(options: FakeDiscordOptions<string> = {}): Promise<FakeDiscord<string>> {
    const discord = new FakeDiscord(options, options.channels ?? ['ops', 'alerts']);
    await new Promise<void>((resolve) => discord.#server.listen(0, '127.0.0.1', resolve));
    discord.#port = (discord.#server.address() as AddressInfo).port;
    return discord;
  }

  /** What the client takes as `rest: { api }`; @discordjs/rest appends `/v10`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#rest.requests;
  }

  get commands(): readonly Command[] {
    return this.#commands.all;
  }

  /** The last IDENTIFY, e.g. to assert the intents the bot asks for. */
  get identify(): Identify | undefined {
    return this.#gateway.identify;
  }

  /** Protocol requests the local Discord refused (another gateway version, compression…). */
  get problems(): readonly string[] {
    return this.#gateway.problems;
  }

  get heartbeats(): number {
    return this.#gateway.heartbeats;
  }

  get identifies(): number {
    return this.#gateway.identifies;
  }

  /** How many clients hold a live gateway connection now (identified or not). */
  get gatewayConnections(): number {
    return this.#gateway.openConnections;
  }

  get resumes(): number {
    return this.#gateway.resumes;
  }

  get threads(): ShownThread[] {
    return [...this.#world.channels.values()].flatMap((c) =>
      c.kind === 'thread'
        ? [{ id: c.id, parentId: c.parentId, name: c.name, archived: c.archived, locked: c.locked }]
        : [],
    );
  }

  /** Messages as the channels now show them (all channels when none is named), oldest first. */
  messages(channelId?: string): ShownMessage[] {
    return [...this.#world.messages.values()]
      .filter((m) => !m.deleted && (channelId === undefined || m.channelId === channelId))
      .map((m) => ({
        id: m.id,
        channel_id: m.channelId,
        author_id: m.authorId,
        content: m.content,
        embeds: m.embeds,
        components: m.components,
        attachments: m.attachments,
        flags: m.flags,
        ephemeral: (m.flags & MessageFlag.Ephemeral) !== 0,
        ...(m.reference === undefined ? {} : { message_reference: m.reference }),
        ...(m.threadId === undefined ? {} : { thread_id: m.threadId }),
        edits: m.edits,
      }));
  }

  /** A guild member to act as; `roles` (e.g. `[discord.roles.approver]`) are theirs from now on. */
  addUser(username: string, roles: string[] = []): string {
    return this.#world.addUser(username, roles);
  }

  /** The data of the last gateway event of this name, as the bot was sent it. */
  lastDispatched(event: string): unknown {
    return this.#gateway.lastSent.get(event);
  }

  /** Sends `data` as a gateway event, whatever it holds: Discord would never send most of it. */
  dispatchRaw(event: string, data: unknown): void {
    this.#gateway.dispatch(event, () => data);
  }

  /** Resolves once a client has identified and been sent READY and GUILD_CREATE. */
  ready(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => {
      if (this.#gateway.problems.length > 0) {
        throw new Error(`the gateway refused the client: ${this.#gateway.problems.join('; ')}`);
      }
      return this.#gateway.connected || undefined;
    }, timeoutMs).then(() => undefined);
  }

  /** Resolves with the first truthy value of `check`, tried now and after every change. */
  waitFor<T>(check: (discord: this) => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        try {
          const value = check(this);
          if (value === undefined || value === null || value === false) return;
          done();
          resolve(value);
        } catch (error) {
          done();
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        done();
        const last = this.requests.slice(-5).map((r) => `${r.method} ${r.path} → ${r.status}`);
        reject(
          new Error(`waitFor timed out after ${timeoutMs} ms; last requests: ${last.join(', ')}`),
        );
      }, timeoutMs);
      const unsubscribe = this.#world.onChange(attempt);
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
      };
      attempt();
    });
  }

  /** A user's message, sent to the bot as MESSAGE_CREATE; returns its id. */
  sendMessage(message: UserMessage): string {
    const world = this.#world;
    let channelId: string;
    if (message.dm === true) channelId = world.dmChannelFor(message.userId).id;
    else if (message.threadId !== undefined) channelId = message.threadId;
    else if (message.channelId !== undefined) channelId = message.channelId;
    else throw new Error('sendMessage needs a channelId, a threadId or dm: true');
    const channel = world.channels.get(channelId);
    if (channel === undefined) throw new Error(`no channel ${channelId}`);
    const mention = `<@${this.botUserId}>`;
    const content =
      message.mentionBot === true && !message.content.includes(mention)
        ? `${mention} ${message.content}`
        : message.content;
    const created = world.newMessage({
      channelId,
      authorId: message.userId,
      content,
      mentionIds: mentionsIn(content),
    });
    publishCreate(world, this.#gateway, created);
    return created.id;
  }

  /**
   * Deletes a message as its author or a moderator would, with MESSAGE_DELETE. A thread started
   * from it stays, under the same id, with nothing to start from.
   */
  deleteMessage(channelId: string, messageId: string): void {
    const message = this.#world.liveMessage(channelId, messageId);
    if (message === undefined) throw new Error(`no message ${messageId} in ${channelId}`);
    message.deleted = true;
    publishDelete(this.#world, this.#gateway, message);
  }

  /**
   * Deletes a thread as a moderator would (Manage Threads), with THREAD_DELETE: it and its
   * messages are Unknown Channel from then on.
   */
  deleteThread(threadId: string): void {
    const thread = this.#world.deleteThread(threadId);
    if (thread === undefined) throw new Error(`no thread ${threadId}`);
    publishThreadDelete(this.#world, this.#gateway, thread);
  }

  /**
   * Archives a thread, as Discord does after its inactivity period or a moderator does; `locked`
   * also locks it, so only Manage Threads may write in it or reopen it. THREAD_UPDATE follows.
   */
  archiveThread(threadId: string, options: { locked?: boolean } = {}): void {
    const thread = this.#world.thread(threadId);
    if (thread === undefined) throw new Error(`no thread ${threadId}`);
    setArchived(thread, true);
    if (options.locked !== undefined) thread.locked = options.locked;
    publishThreadUpdate(this.#world, this.#gateway, thread);
  }

  clickButton(click: ButtonClick): { id: string; token: string } {
    return this.#interactions.clickButton(click);
  }

  runCommand(run: CommandRun): { id: string; token: string } {
    return this.#interactions.runCommand(run);
  }

  /** The callback the bot sent for an interaction, with `ms` from dispatch to callback. */
  interactionResponse(id: string, timeoutMs = 5000): Promise<InteractionResponse> {
    return this.waitFor(() => this.#interactions.response(id), timeoutMs);
  }

  rateLimit(matcher: RouteMatcher, times: number, retryAfterSeconds: number): void {
    this.#rest.rateLimit(matcher, times, retryAfterSeconds);
  }

  /** The next `times` matching requests take effect but are answered 502, as if the answer was lost. */
  loseAnswers(matcher: RouteMatcher, times: number): void {
    this.#rest.loseAnswers(matcher, times);
  }

  /** Closes the gateway connection as a network failure would (4000); discord.js resumes. */
  disconnect(code = 4000): void {
    this.#gateway.disconnect(code);
  }

  async close(): Promise<void> {
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
