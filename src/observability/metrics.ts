import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric the process exports, on a registry of its own so that several instances (tests,
 * `coxswain all`) never collide. All names start with `coxswain_`.
 */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coxswain_' });
  const registers = [registry];
  return {
    registry,
    ...httpMetrics(registers),
    ...alertMetrics(registers),
    ...jobMetrics(registers),
    ...modelMetrics(registers),
    ...chatMetrics(registers),
  };
}

type Registers = Registry[];

/** HTTP requests answered and how long they took. */
function httpMetrics(registers: Registers) {
  return {
    httpRequests: new Counter({
      name: 'coxswain_http_requests_total',
      help: 'HTTP requests answered, by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'coxswain_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route.',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

/** Alertmanager notifications accepted and refused. */
function alertMetrics(registers: Registers) {
  return {
    alertNotifications: new Counter({
      name: 'coxswain_alert_notifications_total',
      help: 'Alertmanager notifications accepted and enqueued, by group status.',
      labelNames: ['status'] as const,
      registers,
    }),
    webhookRejections: new Counter({
      name: 'coxswain_webhook_rejections_total',
      help: 'Alertmanager notifications refused, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

/** Jobs this process finished, and their time in the processor. */
function jobMetrics(registers: Registers) {
  return {
    jobs: new Counter({
      name: 'coxswain_jobs_total',
      help: 'Jobs finished by this process, by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'coxswain_job_duration_seconds',
      help: 'Time a job spent in its processor, by queue.',
      labelNames: ['queue'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers,
    }),
  };
}

/** Model calls, their tokens and their cost. */
function modelMetrics(registers: Registers) {
  return {
    modelTokens: new Counter({
      name: 'coxswain_model_tokens_total',
      help: 'Tokens of model calls, by agent and kind (input, output, cache_read, cache_write).',
      labelNames: ['agent', 'kind'] as const,
      registers,
    }),
    modelCost: new Counter({
      name: 'coxswain_model_cost_usd_total',
      help: 'Approximate cost of model calls in US dollars, by agent.',
      labelNames: ['agent'] as const,
      registers,
    }),
    modelCalls: new Counter({
      name: 'coxswain_model_calls_total',
      help: 'Model calls made, by agent.',
      labelNames: ['agent'] as const,
      registers,
    }),
    budgetStops: new Counter({
      name: 'coxswain_budget_exhausted_total',
      help: "Agent runs a budget stopped, by agent and budget (turns, tokens, cost: the run's; channel_daily: the channel's day).",
      labelNames: ['agent', 'budget'] as const,
      registers,
    }),
  };
}

/** Chat in and out: inputs received, messages delivered, console streams open. */
function chatMetrics(registers: Registers) {
  return {
    messagesDelivered: new Counter({
      name: 'coxswain_messages_delivered_total',
      help: 'Chat messages delivered from the outbox, by platform.',
      labelNames: ['platform'] as const,
      registers,
    }),
    chatInputs: new Counter({
      name: 'coxswain_chat_inputs_total',
      help: 'Messages, commands and clicks received from chat, by platform and kind.',
      labelNames: ['platform', 'kind'] as const,
      registers,
    }),
    consoleClients: new Gauge({
      name: 'coxswain_console_stream_clients',
      help: 'Web console live streams open on this process.',
      registers,
    }),
    leader: new Gauge({
      name: 'coxswain_leader',
      help: 'Whether this process holds the Slack and Discord connections and the outbox: 1 on the leader (or a bot without LEADER_LEASE), 0 on a standby.',
      registers,
    }),
  };
}
