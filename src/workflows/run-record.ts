import { z } from 'zod';
import { ChannelRef } from '../shared/channel.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

/**
 * A workflow run as it is kept: what started it (the workflow as it was then, its inputs, the
 * alert, where it reports and what it may touch) and each step's life:
 *
 *   pending ──► running ──► succeeded | failed
 *      │            └──► waiting (a confirm gate: its proposals) ──► succeeded | failed | stopped
 *      └──► skipped (its condition was false, or a step it waits for did not finish well)
 *
 * A step moves only from the state it is in (the store checks it in the same write), so a step
 * retried after a crash, or advanced by two jobs at once, finishes once.
 */
export const InputValue = z.union([z.string(), z.number(), z.boolean()]);
export type InputValue = z.infer<typeof InputValue>;

/** Where a run reports and what it may touch: its channel's binding, as it was when it started. */
export const RunPlace = z.object({
  channel: ChannelRef.optional(),
  thread: z.string().optional(),
  /** Its messages go in the thread of the bot's message under this key (its alert group's). */
  threadKey: z.string().optional(),
  /** Who or what started it: a person (`slack:U…`), `schedule:NAME`, `alert:FINGERPRINT`. */
  requester: z.string().min(1).max(200),
  cluster: z.string().min(1),
  namespaces: z.array(z.string()).min(1),
  maxTier: z.enum(['safe', 'confirm']),
});
export type RunPlace = z.infer<typeof RunPlace>;

export const RunStart = z.object({
  runId: z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/),
  trigger: z.enum(['manual', 'schedule', 'alert']),
  inputs: z.record(z.string(), InputValue),
  alert: z.record(z.string(), z.unknown()).optional(),
  place: RunPlace,
  startedAt: z.iso.datetime(),
});
export type RunStart = z.infer<typeof RunStart>;

/** A run's start with the workflow as it was read then: a file edited later changes no run. */
export type RunRecord = RunStart & { workflow: YamlWorkflow };

/** What a step does, decided when it starts: its branch taken and its templates rendered. */
export const StepWork = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('agent'),
    agent: z.string(),
    task: z.string(),
    model: z.enum(['haiku', 'sonnet', 'opus']).optional(),
    confirm: z.boolean(),
  }),
  z.object({
    type: z.literal('action'),
    action: z.string(),
    agent: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()),
    confirm: z.boolean(),
  }),
]);
export type StepWork = z.infer<typeof StepWork>;

export const StepOutputs = z.record(z.string(), z.unknown());
export type StepOutputs = z.infer<typeof StepOutputs>;

const Times = { startedAt: z.iso.datetime().optional(), finishedAt: z.iso.datetime().optional() };

export const StepRecord = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending') }),
  z.object({
    state: z.literal('running'),
    ...Times,
    work: StepWork,
    branch: z.string().optional(),
  }),
  z.object({
    state: z.literal('waiting'),
    ...Times,
    work: StepWork,
    branch: z.string().optional(),
    /** The proposals the run waits on; decided, they finish the step. */
    proposals: z.array(z.string()).min(1),
    /** Outputs known before the gate (an agent step's answer). */
    outputs: StepOutputs.default({}),
    text: z.string().optional(),
  }),
  z.object({
    state: z.literal('succeeded'),
    ...Times,
    branch: z.string().optional(),
    outputs: StepOutputs,
    /** What a person reads of the result: an answer, a tool's output, a summary. */
    text: z.string().optional(),
    proposals: z.array(z.string()).default([]),
  }),
  z.object({ state: z.literal('failed'), ...Times, error: z.string() }),
  z.object({ state: z.literal('skipped'), ...Times, reason: z.string() }),
  z.object({ state: z.literal('stopped'), ...Times, reason: z.string() }),
]);
export type StepRecord = z.infer<typeof StepRecord>;
export type StepState = StepRecord['state'];

/** A step in one of these will not change again. */
export const FINISHED: readonly StepState[] = ['succeeded', 'failed', 'skipped', 'stopped'];

export const RunState = z.enum(['running', 'waiting', 'succeeded', 'failed', 'stopped']);
export type RunState = z.infer<typeof RunState>;

/** A run with its steps, as loaded. */
export type RunView = {
  run: RunRecord;
  state: RunState;
  /** Why it ended, once it has. */
  summary: string | undefined;
  finishedAt: string | undefined;
  steps: Record<string, StepRecord>;
};

export function isFinished(step: StepRecord | undefined): boolean {
  return step !== undefined && FINISHED.includes(step.state);
}
