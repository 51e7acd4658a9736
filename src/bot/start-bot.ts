import { alertmanagerRoute } from '../alerts/receiver.ts';
import { type DecideDeps, decide } from '../approvals/decide.ts';
import { ProposalStore } from '../approvals/proposal-store.ts';
import { AuditLog } from '../audit/audit-log.ts';
import type { ChatAdapter } from '../chat/adapter.ts';
import { createDiscord, type Discord } from '../chat/discord/discord-app.ts';
import type { InboundHandlers } from '../chat/inbound.ts';
import { fitMessage } from '../chat/message.ts';
import { EventClaims, MessageRefs } from '../chat/message-refs.ts';
import { createOutboxWorker } from '../chat/outbox-worker.ts';
import { ChannelPacer, PLATFORM_INTERVALS_MS } from '../chat/pacing.ts';
import { createSlack, type Slack } from '../chat/slack/slack-app.ts';
import { webAdapter } from '../chat/web/adapter.ts';
import { LiveStreams } from '../chat/web/live-stream.ts';
import { webConsoleRoutes } from '../chat/web/routes.ts';
import { WebStore } from '../chat/web/store.ts';
import { SLASH_COMMAND } from '../commands/slash-options.ts';
import { type Config, DEFAULT_CLUSTER_NAME } from '../config/index.ts';
import { dashboardRoutes } from '../dashboard/routes.ts';
import { StatusStore } from '../dashboard/status-store.ts';
import { isLoopback, WebAccess } from '../dashboard/web-access.ts';
import { CoxswainError } from '../errors.ts';
import type { Route } from '../http/router.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { SuspendSwitch } from '../policy/suspend.ts';
import { closeRedis, createRedis } from '../queue/connection.ts';
import { OutboxJob } from '../queue/jobs.ts';
import type { Resources } from '../runtime/resources.ts';
import { closeWorker } from '../runtime/shutdown.ts';
import { loadWorkflows, WORKFLOWS_DIR, type Workflows } from '../workflows/markdown.ts';
import { handleButtonClick } from './button-click.ts';
import { handleChatInput, type InputDeps } from './chat-input.ts';

export type Bot = {
  routes: Route[];
  /** Connects to Slack and Discord, where configured; the HTTP server must be listening first. */
  connect(): Promise<void>;
  /** Ends live streams and drains the outbox; the HTTP server is the caller's to close first. */
  stop(): Promise<void>;
};

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The bot role: receives alerts and chat (web console, Slack, Discord), enqueues, and delivers
 * the outbox to chat. It never calls a model and never writes to a cluster.
 */
export function startBot(
  config: Config,
  resources: Resources,
  log: Logger,
  metrics: Metrics,
  workflows: Workflows = loadWorkflows(WORKFLOWS_DIR),
): Bot {
  const subscriber = createRedis(config.redis.url, 'subscriber', log);
  const store = new WebStore(
    resources.producer,
    subscriber,
    config.redis.prefix,
    log.child({ component: 'web' }),
  );
  // Redis may be down at start; the HTTP server comes up anyway and says so on /readyz.
  let stopping = false;
  store.start().catch((error: unknown) => {
    if (!stopping) log.error({ err: error }, 'console feed could not start');
  });
  const streams = new LiveStreams(store, log.child({ component: 'web' }), metrics);
  const webAccess = new WebAccess(resources.producer, config.redis.prefix, {
    users: config.dashboard.users,
    trustLocal: config.dashboard.trustLocalNames && isLoopback(config.http.host),
    secure: /^https:/i.test(config.dashboard.publicUrl ?? ''),
  });
  // A sign-out ends that session's live streams at once, on every replica.
  webAccess.onSessionEnded((key) => streams.endSession(key));
  const sessionSubscriber = webAccess.signIn
    ? createRedis(config.redis.url, 'subscriber', log)
    : undefined;
  if (sessionSubscriber !== undefined)
    webAccess.follow(sessionSubscriber).catch((error: unknown) => {
      if (!stopping) log.error({ err: error }, 'sign-outs of other replicas not followed');
    });
  const audit = new AuditLog(resources.producer, config.redis.prefix);
  const suspension = new SuspendSwitch(resources.producer, config.redis.prefix);
  const decideDeps: DecideDeps = {
    proposals: new ProposalStore(resources.producer, config.redis.prefix),
    actions: resources.queues.actions,
    outbox: resources.queues.outbox,
    bindings: config.bindings,
    people: config.people,
    autonomy: config.autonomy,
    dashboardUrl: config.dashboard.publicUrl,
    log: log.child({ component: 'approvals' }),
    suspension,
    runs: resources.queues.runs,
  };
  const inputDeps: InputDeps = {
    runs: resources.queues.runs,
    bindings: config.bindings,
    clusters: clusterNames(config),
    workflows,
    decide: (click, verdict) => decide(click, verdict, decideDeps),
  };
  const handlers: InboundHandlers = {
    input: (input) => handleChatInput(input, inputDeps),
    click: (click) => handleButtonClick(click, inputDeps),
  };
  const outbox = resources.queues.outbox;
  const refs = new MessageRefs(resources.producer, config.redis.prefix);
  const onInput = (platform: string) => (kind: string) =>
    metrics.chatInputs.inc({ platform, kind });
  const slack =
    config.slack === undefined
      ? undefined
      : createSlack(config.slack, {
          handlers,
          outbox,
          claims: new EventClaims(resources.producer, config.redis.prefix),
          refs,
          log,
          onInput: onInput('slack'),
        });
  const discord =
    config.discord === undefined
      ? undefined
      : createDiscord(config.discord, {
          handlers,
          outbox,
          refs,
          log,
          slashCommand: SLASH_COMMAND,
          onInput: onInput('discord'),
        });
  const adapters: ChatAdapter[] = [webAdapter(store)];
  if (slack !== undefined) adapters.push(slack.adapter);
  if (discord !== undefined) adapters.push(discord.adapter);
  const worker = createOutboxWorker({
    connection: resources.worker,
    prefix: config.redis.prefix,
    adapters,
    log,
    metrics,
    concurrency: 8,
    pacer: new ChannelPacer(resources.worker, config.redis.prefix, PLATFORM_INTERVALS_MS),
  });
  const webReply = async (
    channel: string,
    id: string,
    outcome: Awaited<ReturnType<InboundHandlers['input']>>,
  ) => {
    if (outcome.kind !== 'reply') return;
    await outbox.add(
      'reply',
      OutboxJob.parse({ channel: `web:${channel}`, message: fitMessage(outcome.message) }),
      { jobId: `reply.web.${channel}.${id}` },
    );
  };
  const routes = [
    alertmanagerRoute({
      auth: config.alertmanager,
      runs: resources.queues.runs,
      producer: resources.producer,
      metrics,
    }),
    ...(slack?.routes ?? []),
    ...dashboardRoutes({
      access: webAccess,
      proposals: decideDeps.proposals,
      audit,
      status: new StatusStore(resources.producer, config.redis.prefix),
      workflows,
      handlers,
      decide: (click, verdict) => decide(click, verdict, decideDeps),
      autonomy: config.autonomy,
      bindings: config.bindings,
      people: config.people,
      allowedHosts: config.http.allowedHosts,
      suspension,
    }),
    ...webConsoleRoutes(
      store,
      streams,
      config.http.allowedHosts,
      async (posted) => {
        metrics.chatInputs.inc({ platform: 'web', kind: 'message' });
        const outcome = await handlers.input({
          channel: `web:${posted.channel}`,
          requester: `web:${posted.author}`,
          text: posted.text,
          messageId: posted.id,
          addressed: false,
        });
        await webReply(posted.channel, posted.id, outcome);
      },
      async (click) => {
        metrics.chatInputs.inc({ platform: 'web', kind: 'click' });
        // A name typed in the console is not verified: a decision needs a signed-in session, or
        // the loopback demo where whoever is at this machine is trusted.
        const deciding = click.button.action === 'approve' || click.button.action === 'reject';
        let requester = `web:${click.author}`;
        if (deciding) {
          const access = await webAccess.of(click.req, click.author);
          if (!access.ok) {
            await webReply(click.channel, click.clickId, {
              kind: 'reply',
              message: {
                headline: 'Sign in to the dashboard to decide proposals here',
                text: `A name typed in the console is not a verified person: ${access.reason}.`,
                tone: 'warning',
              },
            });
            return;
          }
          requester = access.person;
        }
        const outcome = await handlers.click({
          channel: `web:${click.channel}`,
          requester,
          action: click.button.action,
          value: click.button.value,
          clickId: click.clickId,
        });
        await webReply(click.channel, click.clickId, outcome);
      },
      webAccess.signIn
        ? async (req) => {
            const access = await webAccess.of(req);
            return access.ok
              ? { ok: true, name: access.person.slice(4), session: webAccess.sessionKey(req) }
              : access;
          }
        : undefined,
    ),
  ];
  const platforms: { name: string; start(): Promise<void>; stop(): Promise<void> }[] = [];
  if (slack !== undefined) platforms.push({ name: 'Slack', ...bind(slack) });
  if (discord !== undefined) platforms.push({ name: 'Discord', ...bind(discord) });
  return {
    routes,
    async connect() {
      await Promise.all(
        platforms.map(async (platform) => {
          try {
            await withTimeout(platform.start(), CONNECT_TIMEOUT_MS);
          } catch (error) {
            throw new CoxswainError(
              'chat_unavailable',
              `${platform.name} could not be reached: ${(error as Error).message}`,
              { cause: error },
            );
          }
        }),
      );
    },
    async stop() {
      stopping = true;
      streams.closeAll();
      await Promise.all(platforms.map((p) => p.stop().catch(() => undefined)));
      await closeWorker(worker, config.shutdownTimeoutMs, log);
      await closeRedis(subscriber);
      if (sessionSubscriber !== undefined) await closeRedis(sessionSubscriber);
    },
  };
}

function bind(platform: Slack | Discord) {
  return { start: () => platform.start(), stop: () => platform.stop() };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function clusterNames(config: Config): string[] {
  return config.clusters.length === 0 ? [DEFAULT_CLUSTER_NAME] : config.clusters.map((c) => c.name);
}
