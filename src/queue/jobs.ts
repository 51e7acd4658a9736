import { z } from 'zod';
import { ChannelRef } from '../shared/channel.ts';
import { SkillCommand, WorkflowName } from './command-data.ts';

/** The three queues and the shape of every job on them: the only contract between bot and worker. */
const QUEUE_NAMES = ['runs', 'actions', 'outbox'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * A platform's thread: Slack's `thread_ts`, the Discord message a thread was started from (the
 * thread's id is that message's), a console entry id.
 */
export const ThreadRef = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a thread id');

/** The replace key of a message the bot posted whose thread holds what follows (`alert.<group>`). */
export const ThreadKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be a message key');

/**
 * An Alertmanager notification, as received, waiting for a worker to make it a chat message. The
 * payload's schema is the alerts' own (`alerts/schema.ts`): the receiver checks it before queueing
 * and the alert run checks it again before reading it.
 */
export const AlertRunJob = z.object({
  kind: z.literal('alert'),
  receivedAt: z.iso.datetime(),
  payload: z.looseObject({}),
});
export type AlertRunJob = z.infer<typeof AlertRunJob>;

/** A skill someone asked for in a channel (`status`, `diagnose …`, `rollback …`), after the bot's checks. */
export const CommandRunJob = z.object({
  kind: z.literal('command'),
  receivedAt: z.iso.datetime(),
  channel: ChannelRef,
  /** Who asked, as `platform:id` (`web:dana`). */
  requester: z.string().min(1).max(100),
  /** The thread the answer goes to. */
  thread: ThreadRef.optional(),
  command: SkillCommand,
});
export type CommandRunJob = z.infer<typeof CommandRunJob>;

const RunId = z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be a run id');
const Tier = z.enum(['haiku', 'sonnet', 'opus']);

/** A question for the orchestrator: from a channel, or from `coxswain ask`. */
export const AskRunJob = z.object({
  kind: z.literal('ask'),
  runId: RunId,
  receivedAt: z.iso.datetime(),
  question: z.string().min(1).max(4000),
  /** Where the answer goes; absent when the asker waits for the job's result. */
  channel: ChannelRef.optional(),
  /** The thread the answer goes to. */
  thread: ThreadRef.optional(),
  /** The answer goes in the thread of the bot's message under this key (an alert group's). */
  threadKey: ThreadKey.optional(),
  /** Earlier questions and answers with this id are the question's context (a thread, a DM). */
  conversation: z.string().min(1).max(250).optional(),
  requester: z.string().min(1).max(100),
  cluster: z.string().min(1),
  /** The namespaces the asker may see (the channel's binding). */
  namespaces: z.array(z.string()).min(1),
  /** Changes people just rejected in this conversation (their digests): not offered again. */
  declined: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .max(20)
    .optional(),
});
export type AskRunJob = z.infer<typeof AskRunJob>;

/** One specialist's task, a child job of the orchestrator's run. */
export const AgentRunJob = z.object({
  kind: z.literal('agent'),
  runId: RunId,
  parentRunId: RunId,
  agent: z.string().min(1),
  task: z.string().min(1).max(4000),
  model: Tier.optional(),
  cluster: z.string().min(1),
  namespaces: z.array(z.string()).min(1),
  /** The asking channel's highest tier. */
  maxTier: z.enum(['safe', 'confirm']).default('confirm'),
});
export type AgentRunJob = z.infer<typeof AgentRunJob>;

const InputValue = z.union([z.string().max(1_000), z.number(), z.boolean()]);

/**
 * A YAML workflow to start: by a person (`workflow NAME k=v`, checked by the bot), a schedule
 * (a job scheduler's tick: the run's id is the tick's job id) or an alert (its labels bound).
 * Where it reports and what it may touch is settled by the worker from the channel's binding.
 */
export const WorkflowRunJob = z.object({
  kind: z.literal('workflow'),
  /** Unset for a schedule's tick: the job's own id names the run. */
  runId: RunId.optional(),
  workflow: WorkflowName,
  trigger: z.enum(['manual', 'schedule', 'alert']),
  inputs: z.record(z.string().max(40), InputValue).default({}),
  /** The alert that started it: labels, annotations, status, startsAt, fingerprint… */
  alert: z.looseObject({}).optional(),
  channel: ChannelRef.optional(),
  thread: ThreadRef.optional(),
  /** Its messages go in the thread of the bot's message under this key (its alert group's). */
  threadKey: ThreadKey.optional(),
  /** Who or what started it: `slack:U…`, `schedule:NAME`, `alert:NAME`, `cli`. */
  requester: z.string().min(1).max(200),
  cluster: z.string().min(1).optional(),
});
export type WorkflowRunJob = z.infer<typeof WorkflowRunJob>;

/** One step of a workflow run, a child job of the run's. */
export const WorkflowStepJob = z.object({
  kind: z.literal('workflow-step'),
  runId: RunId,
  step: z.string().min(1).max(63),
});
export type WorkflowStepJob = z.infer<typeof WorkflowStepJob>;

/** A gate of a waiting run was decided: the run goes on (or stops) from its records. */
export const WorkflowResumeJob = z.object({
  kind: z.literal('workflow-resume'),
  runId: RunId,
  proposalId: z.string().min(1).max(64),
});
export type WorkflowResumeJob = z.infer<typeof WorkflowResumeJob>;

/** Work for the worker's agents and workflows. */
export const RunJob = z.discriminatedUnion('kind', [
  AlertRunJob,
  CommandRunJob,
  AskRunJob,
  AgentRunJob,
  WorkflowRunJob,
  WorkflowStepJob,
  WorkflowResumeJob,
]);
export type RunJob = z.infer<typeof RunJob>;
export type RunJobInput = z.input<typeof RunJob>;

/** An approved proposal to execute; its job id is the proposal id, so it runs once. */
export const ActionJob = z.object({
  proposalId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'must be a proposal id'),
});
export type ActionJob = z.infer<typeof ActionJob>;

/**
 * A job on the outbox. Its schema is chat's (`chat/outbox-job.ts`): `postToChat` is its one
 * producer and validates every job it adds, and the outbox worker validates each again.
 */
export type OutboxJobData = Readonly<Record<string, unknown>>;
