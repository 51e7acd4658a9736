import type { Worker } from 'bullmq';
import { ChannelSpend } from '../agents/runs/budget.ts';
import { AlertGroups } from '../alerts/alert-groups.ts';
import { registerIncidentMetrics } from '../alerts/incident-metrics.ts';
import { Incidents } from '../alerts/incidents.ts';
import { alertmanagerRoute } from '../alerts/receiver.ts';
import { type DecideDeps, decide } from '../approvals/decide.ts';
import { ProposalStore } from '../approvals/proposal-store.ts';
import { offerAlertSilence } from '../approvals/silence-alert.ts';
import { AuditLog } from '../audit/audit-log.ts';
import type { ChatAdapter } from '../chat/adapter.ts';
import type { InboundHandlers, InputOutcome } from '../chat/inbound.ts';
import { MessageRefs } from '../chat/message-refs.ts';
import type { OutboxJob } from '../chat/outbox-job.ts';
import { createOutboxWorker } from '../chat/outbox-worker.ts';
import { ChannelPacer, PLATFORM_INTERVALS_MS } from '../chat/pacing.ts';
import { postToChat } from '../chat/post-to-chat.ts';
import { webAdapter } from '../chat/web/adapter.ts';
import { consoleClicks } from '../chat/web/console-click.ts';
import { webConsoleRoutes } from '../chat/web/routes.ts';
import { type Config, DEFAULT_CLUSTER_NAME } from '../config/index.ts';
import { dashboardRoutes } from '../dashboard/routes.ts';
import { StatusStore } from '../dashboard/status-store.ts';
import { FeedbackStore } from '../feedback/feedback-store.ts';
import { giveFeedback } from '../feedback/give-feedback.ts';
import type { Route } from '../http/router.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { SuspendSwitch } from '../policy/suspend.ts';
import type { Resources } from '../runtime/resources.ts';
import { closeWorker } from '../runtime/shutdown.ts';
import { loadWorkflowFiles, type WorkflowFiles } from '../workflows/load-files.ts';
import { RedisRunStore } from '../workflows/run-store.ts';
import { handleButtonClick } from './button-click.ts';
import { handleChatInput, type InputDeps } from './chat-input.ts';
import { createChatPlatforms } from './chat-platforms.ts';
import { startWebSide, type WebSide } from './web-side.ts';

/**
 * The least lock the outbox takes, whatever WORKER_LOCK_SECONDS says: a message is posted first
 * and recorded after, so a lock that lapses mid-post (a stalled event loop, a slow platform)
 * lets another replica take the message as stalled and post it again. Ten seconds is far above
 * the event loop delays measured with 100 agent runs in flight in `all` (under 2 s).
 */
const OUTBOX_MIN_LOCK_MS = 10_000;

export type Bot = {
  routes: Route[];
  /**
   * Takes what only one bot replica may hold: starts delivering the outbox and connects to Slack
   * and Discord, where configured. The HTTP server must be listening first.
   */
  connect(): Promise<void>;
  /** Lets go of it again: disconnects from Slack and Discord and drains the outbox. */
  disconnect(): Promise<void>;
  /** Ends live streams and disconnects; the HTTP server is the caller's to close first. */
  stop(): Promise<void>;
};

/**
 * The bot role: receives alerts and chat (web console, Slack, Discord), enqueues, and delivers
 * the outbox to chat. It never calls a model and never writes to a cluster.
 */
export async function startBot(
  config: Config,
  resources: Resources,
  log: Logger,
  metrics: Metrics,
): Promise<Bot> {
  const workflows = workflowShelf(config);
  const decideDeps = decideDepsOf(config, resources, log);
  const feedback = new FeedbackStore(resources.producer, config.redis.prefix);
  const handlers = inboundHandlers(config, resources, workflows, decideDeps, feedback, log);
  // Only the outbox's deliveries use these, after a post: on a connection that waits out a
  // Redis outage, so a message posted just before a failover is still recorded as posted, and
  // the job's retry does not post it again. With REDIS_WAIT_REPLICAS each record also waits for
  // the replicas, on a connection of its own so the wait holds up nothing else.
  const refs = new MessageRefs(resources.records, config.redis.prefix, { wait: config.redis.wait });
  // Loads the chat libraries of the platforms configured: before the console's connections
  // open, so that one failing to load leaves nothing open behind it.
  const platforms = await createChatPlatforms(config, resources, { handlers, refs, log, metrics });
  const web = startWebSide(config, resources, log, metrics);
  const incidents = new Incidents(resources.producer, config.redis.prefix);
  registerIncidentMetrics(metrics.registry, incidents);
  const outbox = outboxDelivery(config, resources, [webAdapter(web.store), ...platforms.adapters], {
    log,
    metrics,
  });
  const routes = [
    alertmanagerRoute({
      auth: config.alertmanager,
      inbox: resources.alerts.inbox,
      producer: resources.alerts.producer,
      wait: config.redis.wait,
      metrics,
    }),
    ...platforms.routes,
    ...dashboardRoutes({
      access: web.access,
      proposals: decideDeps.proposals,
      audit: new AuditLog(resources.producer, config.redis.prefix),
      status: new StatusStore(resources.producer, config.redis.prefix),
      workflows,
      runs: new RedisRunStore(resources.producer, config.redis.prefix),
      handlers,
      decide: (click, verdict) => decide(click, verdict, decideDeps),
      autonomy: config.autonomy,
      bindings: config.bindings,
      people: config.people,
      allowedHosts: config.http.allowedHosts,
      suspension: decideDeps.suspension,
      incidents: {
        incidents,
        groups: new AlertGroups(resources.producer, config.redis.prefix),
        spend: new ChannelSpend(resources.producer, config.redis.prefix),
      },
      feedback,
    }),
    ...consoleRoutes(config, resources, web, handlers, metrics),
  ];
  return {
    routes,
    async connect() {
      outbox.start();
      await platforms.connect();
    },
    async disconnect() {
      await platforms.stop();
      await outbox.stop();
    },
    async stop() {
      workflows.stop();
      web.endStreams();
      await platforms.stop();
      await outbox.stop();
      await web.close();
    },
  };
}

/**
 * The outbox worker, started and stopped with leadership: a fresh BullMQ worker each time, since
 * a closed one does not run again.
 */
function outboxDelivery(
  config: Config,
  resources: Resources,
  adapters: ChatAdapter[],
  deps: { log: Logger; metrics: Metrics },
): { start(): void; stop(): Promise<void> } {
  let worker: Worker<OutboxJob> | undefined;
  return {
    start() {
      worker ??= createOutboxWorker({
        connection: resources.worker,
        prefix: config.redis.prefix,
        adapters,
        ...deps,
        concurrency: 8,
        lockMs: Math.max(config.worker.lockMs, OUTBOX_MIN_LOCK_MS),
        pacer: new ChannelPacer(resources.worker, config.redis.prefix, paceOf(config)),
      });
    },
    async stop() {
      const running = worker;
      worker = undefined;
      if (running !== undefined) await closeWorker(running, config.shutdownTimeoutMs, deps.log);
    },
  };
}

function decideDepsOf(config: Config, resources: Resources, log: Logger): DecideDeps {
  return {
    proposals: new ProposalStore(resources.producer, config.redis.prefix),
    actions: resources.queues.actions,
    outbox: resources.queues.outbox,
    bindings: config.bindings,
    people: config.people,
    autonomy: config.autonomy,
    dashboardUrl: config.dashboard.publicUrl,
    log: log.child({ component: 'approvals' }),
    suspension: new SuspendSwitch(resources.producer, config.redis.prefix),
    runs: resources.queues.runs,
  };
}

/** What every platform hands its inputs and clicks to. */
function inboundHandlers(
  config: Config,
  resources: Resources,
  workflows: Pick<WorkflowFiles, 'markdown' | 'yaml'>,
  decideDeps: DecideDeps,
  feedback: FeedbackStore,
  log: Logger,
): InboundHandlers {
  const feedbackLog = log.child({ component: 'feedback' });
  const inputDeps: InputDeps = {
    runs: resources.queues.runs,
    bindings: config.bindings,
    clusters: clusterNames(config),
    workflows,
    decide: (click, verdict) => decide(click, verdict, decideDeps),
    silence: (click) =>
      offerAlertSilence(click, {
        ...decideDeps,
        groups: new AlertGroups(resources.producer, config.redis.prefix),
        alertmanager: config.metrics.alertmanagerUrl !== undefined,
      }),
    feedback: (click) =>
      giveFeedback(click, { feedback, bindings: config.bindings, log: feedbackLog }),
  };
  return {
    input: (input) => handleChatInput(input, inputDeps),
    click: (click) => handleButtonClick(click, inputDeps),
  };
}

/**
 * The web console: messages typed there and clicks on its buttons, answered in their channel, in
 * the thread they came from. A thread is one conversation, as on Slack and Discord.
 */
function consoleRoutes(
  config: Config,
  resources: Resources,
  web: WebSide,
  handlers: InboundHandlers,
  metrics: Metrics,
): Route[] {
  const reply = async (
    channel: string,
    id: string,
    outcome: InputOutcome,
    thread: string | undefined,
  ) => {
    if (outcome.kind !== 'reply') return;
    await postToChat(resources.queues.outbox, {
      kind: 'reply',
      key: ['web', channel, id],
      channel: `web:${channel}`,
      message: outcome.message,
      thread,
    });
  };
  const { access } = web;
  return webConsoleRoutes(
    web.store,
    web.streams,
    config.http.allowedHosts,
    async (posted) => {
      metrics.chatInputs.inc({ platform: 'web', kind: 'message' });
      const outcome = await handlers.input({
        channel: `web:${posted.channel}`,
        requester: `web:${posted.author}`,
        text: posted.text,
        messageId: posted.id,
        addressed: false,
        ...(posted.thread === undefined
          ? {}
          : { thread: posted.thread, conversation: `web:${posted.channel}:${posted.thread}` }),
      });
      await reply(posted.channel, posted.id, outcome, posted.thread);
    },
    consoleClicks({
      click: handlers.click,
      personOf: (req, typed) => access.of(req, typed),
      reply,
      onInput: (kind) => metrics.chatInputs.inc({ platform: 'web', kind }),
    }),
    access.signIn
      ? async (req) => {
          const signedIn = await access.of(req);
          return signedIn.ok
            ? { ok: true, name: signedIn.person.slice(4), session: access.sessionKey(req) }
            : signedIn;
        }
      : undefined,
  );
}

function clusterNames(config: Config): string[] {
  return config.clusters.length === 0 ? [DEFAULT_CLUSTER_NAME] : config.clusters.map((c) => c.name);
}

/**
 * The workflows as the bot offers them (`help`, `workflow NAME`, the dashboard), read from the
 * folder at start and every minute after, as the workers read it: a file added or fixed is
 * offered without a restart. A bad file is left out here; the workers log its problems.
 */
function workflowShelf(
  config: Config,
  intervalMs = 60_000,
): Pick<WorkflowFiles, 'markdown' | 'yaml'> & { stop(): void } {
  const read = () => {
    try {
      return loadWorkflowFiles(config.workflowsDir, config.autonomy);
    } catch {
      return undefined;
    }
  };
  const first = read();
  const shelf = {
    markdown: first?.markdown ?? new Map(),
    yaml: first?.yaml ?? new Map(),
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    const files = read();
    if (files === undefined) return;
    shelf.markdown = files.markdown;
    shelf.yaml = files.yaml;
  }, intervalMs);
  timer.unref();
  return shelf;
}

/** The spacing per channel, by platform: the platforms' own unless the config says otherwise. */
function paceOf(config: Config): Record<string, number> {
  return {
    ...PLATFORM_INTERVALS_MS,
    slack: config.slack?.paceMs ?? PLATFORM_INTERVALS_MS.slack,
    discord: config.discord?.paceMs ?? PLATFORM_INTERVALS_MS.discord,
  };
}
