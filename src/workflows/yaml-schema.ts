import { z } from 'zod';
import { MODEL_TIERS } from '../config/model-ids.ts';
import { WorkflowName } from '../queue/command-data.ts';
import { parseCron } from '../shared/cron.ts';
import { isRe2 } from '../shared/label-match.ts';

/**
 * The YAML workflow format (DESIGN §6, seed 001's examples as written there): what each field may
 * hold. What needs the whole file at once (unique step names, `needs` forming a DAG, autonomy
 * against the policy) is in `yaml-structure.ts`.
 */

/**
 * Parsed with the parser BullMQ's job schedulers use, so a cron that passes here is one BullMQ
 * accepts.
 */
const Cron = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .superRefine((text, ctx) => {
    try {
      parseCron(text);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a cron expression (${(error as Error).message})`,
      });
    }
  });

const TimeZone = z.string().refine(isTimeZone, 'is not an IANA time zone (e.g. Europe/Paris)');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `schedule: "0 8 * * *"` or `schedule: { cron: "0 8 * * 1-5", timezone: Europe/Paris }`. */
const Schedule = z.union([
  Cron.transform((cron) => ({ cron, timezone: undefined })),
  z.strictObject({ cron: Cron, timezone: TimeZone.optional() }),
]);

/**
 * A label's value as Alertmanager matches it: equal to a string, or matching a regex (anchored
 * at both ends, as Alertmanager anchors its own).
 */
const LabelMatch = z.union([
  z.string(),
  z.strictObject({
    regex: z
      .string()
      .refine(isRe2, 'is not a regular expression (RE2 syntax: no lookarounds or backreferences)'),
  }),
]);

const AlertMatch = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a label name'), LabelMatch)
  .refine((match) => Object.keys(match).length > 0, 'must name at least one label');

/**
 * One entry of `trigger`. The seed's `type: alert` + `match` is the same as `alert: { match }`;
 * a map with several of `manual`, `schedule` and `alert` is that many triggers.
 */
const TriggerEntry = z
  .strictObject({
    manual: z.literal(true, { error: 'is true, or left out' }).optional(),
    schedule: Schedule.optional(),
    alert: z.strictObject({ match: AlertMatch }).optional(),
    type: z
      .literal('alert', { error: 'must be alert (or use manual: / schedule: / alert:)' })
      .optional(),
    match: AlertMatch.optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.type === undefined) !== (entry.match === undefined))
      ctx.addIssue({
        code: 'custom',
        path: entry.type === undefined ? ['match'] : ['type'],
        message: 'type: alert and match: go together',
      });
    const kinds = [entry.manual, entry.schedule, entry.alert, entry.type].filter(
      (kind) => kind !== undefined,
    );
    if (kinds.length === 0)
      ctx.addIssue({ code: 'custom', message: 'must be manual, schedule or alert' });
  });

export type Trigger =
  | { kind: 'manual' }
  | { kind: 'schedule'; cron: string; timezone: string | undefined }
  | { kind: 'alert'; match: Readonly<Record<string, string | { regex: string }>> };

function triggersOf(entry: z.infer<typeof TriggerEntry>): Trigger[] {
  const triggers: Trigger[] = [];
  if (entry.manual === true) triggers.push({ kind: 'manual' });
  if (entry.schedule !== undefined)
    triggers.push({
      kind: 'schedule',
      cron: entry.schedule.cron,
      timezone: entry.schedule.timezone,
    });
  const match = entry.alert?.match ?? entry.match;
  if (match !== undefined) triggers.push({ kind: 'alert', match });
  return triggers;
}

/** One trigger or a list of them (the seed lists `- schedule: …` and `- manual: true`). */
const Triggers = z
  .union([TriggerEntry, z.array(TriggerEntry).min(1, 'must list at least one trigger')])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap(triggersOf));

const InputName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be an input name')
  // Names every object has (constructor, toString, __proto__…) would read as given when not.
  .refine((name) => !(name in Object.prototype), 'is a name every object has; choose another');

/** A workflow input: typed; a required one has no default, and a default has the input's type. */
const WorkflowInput = z
  .strictObject({
    type: z.enum(['string', 'number', 'boolean'], { error: 'must be string, number or boolean' }),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    description: z.string().min(1).max(300).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.default === undefined) return;
    if (input.required)
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: 'a required input has no default',
      });
    else if (typeof input.default !== input.type)
      ctx.addIssue({ code: 'custom', path: ['default'], message: `must be a ${input.type}` });
  });

/**
 * A verb as the policy spells it (`scale`, `delete pod`); the seed's `restart_pod` is read as
 * `restart pod`.
 */
const Verb = z
  .string()
  .trim()
  .toLowerCase()
  .transform((verb) => verb.replace(/_/g, ' '))
  .pipe(
    z
      .string()
      .regex(
        /^[a-z]+( ([a-z]+|\*))?$/,
        'must be a verb, optionally followed by a kind ("delete pod") or * ("delete *")',
      ),
  );

const WorkflowAutonomy = z.strictObject({
  auto_approve: z.array(Verb).default([]),
  always_confirm: z.array(Verb).default([]),
});

/** A step's name: what `needs`, `on_failure` and `{{ steps.NAME… }}` refer to. */
const StepName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower case, digits and -')
  .refine((name) => name !== 'stop' && name !== 'continue', 'stop and continue mean on_failure');

const OutputName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,39}$/, 'must be an output name');
const OutputType = z.enum(['string', 'number', 'boolean', 'list', 'object'], {
  error: 'must be string, number, boolean, list or object',
});

/** `outputs: [summary, actions-taken]` or `outputs: { pod: string, restarts: number }`. */
const Outputs = z.union([z.array(OutputName), z.record(OutputName, OutputType)]);

/** A template or an expression: checked by the expression language, not here. */
const Expression = z.string().min(1, 'must not be empty');

/** What a step does: an agent's task, an action with inputs, or the seed's agent + action. */
const StepBody = {
  agent: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an agent name')
    .optional(),
  task: z.string().min(1).max(4000).optional(),
  model: z.enum(MODEL_TIERS, { error: `must be one of ${MODEL_TIERS.join(', ')}` }).optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be an action name')
    .optional(),
  inputs: z.record(InputName, z.json()).optional(),
  confirm: z.boolean().optional(),
  confirm_if: Expression.optional(),
  outputs: Outputs.optional(),
};

type BodyFields = {
  agent?: string | undefined;
  task?: string | undefined;
  model?: string | undefined;
  action?: string | undefined;
  inputs?: unknown;
  confirm?: boolean | undefined;
  confirm_if?: string | undefined;
};

/** The combinations of a step's fields that mean something. */
function checkBody(body: BodyFields, ctx: z.RefinementCtx, hasBranches: boolean): void {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  if (hasBranches) {
    for (const field of [
      'agent',
      'action',
      'task',
      'model',
      'inputs',
      'confirm',
      'confirm_if',
    ] as const)
      if (body[field] !== undefined) issue(field, 'goes in a branch, not beside branches');
    return;
  }
  if (body.agent === undefined && body.action === undefined)
    ctx.addIssue({ code: 'custom', message: 'needs an agent (with a task) or an action' });
  if (body.agent !== undefined && body.action === undefined && body.task === undefined)
    issue('agent', 'an agent step needs a task');
  if (body.agent === undefined && body.task !== undefined) issue('task', 'a task needs an agent');
  if (body.agent === undefined && body.model !== undefined)
    issue('model', 'a model needs an agent');
  if (body.action === undefined && body.inputs !== undefined)
    issue('inputs', 'inputs go with an action');
  if (body.confirm !== undefined && body.confirm_if !== undefined)
    issue('confirm_if', 'give confirm or confirm_if, not both');
}

/** A branch's body: what runs when the step's condition is true, or false. */
const Branch = z.strictObject(StepBody).superRefine((body, ctx) => checkBody(body, ctx, false));

const Step = z
  .strictObject({
    name: StepName.optional(),
    ...StepBody,
    needs: z.array(StepName).min(1, 'must name at least one step').optional(),
    condition: Expression.optional(),
    branches: z
      .strictObject({ true: Branch.optional(), false: Branch.optional() })
      .refine((b) => b.true !== undefined || b.false !== undefined, 'needs true:, false: or both')
      .optional(),
    on_failure: z.union([z.enum(['stop', 'continue']), StepName]).default('stop'),
  })
  .superRefine((step, ctx) => {
    checkBody(step, ctx, step.branches !== undefined);
    if (step.branches !== undefined && step.condition === undefined)
      ctx.addIssue({ code: 'custom', path: ['branches'], message: 'branches need a condition' });
  });

/** More steps than a person can review is a mistake, and bounds the load-time checks' work. */
const MAX_STEPS = 100;

export const YamlWorkflowSchema = z.strictObject({
  name: z
    .string()
    .refine(
      (name) => WorkflowName.safeParse(name).success,
      'must be lower case letters, digits and - (at most 63)',
    )
    .optional(),
  description: z.string().min(1).max(300).optional(),
  model: z.enum(MODEL_TIERS, { error: `must be one of ${MODEL_TIERS.join(', ')}` }).optional(),
  /** Without a trigger, a workflow runs only when someone runs it. */
  trigger: Triggers.default([{ kind: 'manual' }]),
  inputs: z.record(InputName, WorkflowInput).default({}),
  autonomy: WorkflowAutonomy.default({ auto_approve: [], always_confirm: [] }),
  steps: z
    .array(Step)
    .min(1, 'must list at least one step')
    .max(MAX_STEPS, `must list at most ${MAX_STEPS} steps`),
});
type ParsedWorkflow = z.infer<typeof YamlWorkflowSchema>;

export type YamlStep = Omit<ParsedWorkflow['steps'][number], 'name'> & { name: string };

/** A YAML workflow as loaded: its name settled and every step named. */
export type YamlWorkflow = Omit<ParsedWorkflow, 'name' | 'steps'> & {
  name: string;
  steps: YamlStep[];
  file: string;
};

/** A step the seed leaves unnamed is `step-N`, N counting from 1 in file order. */
export function stepName(step: { name?: string | undefined }, index: number): string {
  return step.name ?? `step-${index + 1}`;
}
