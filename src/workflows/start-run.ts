import { routeMatches } from '../alerts/routing.ts';
import type { Route } from '../config/index.ts';
import type { Binding } from '../config/policy-schema.ts';
import { bindingFor } from '../policy/bindings.ts';
import { inScope } from '../policy/command-scope.ts';
import type { WorkflowRunJob } from '../queue/jobs.ts';
import type { ChannelRef } from '../shared/channel.ts';
import type { InputValue, RunPlace, RunRecord } from './run-record.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

/**
 * What a run starts with: its inputs typed as the workflow declares them (chat and the terminal
 * give text), and the place it reports to with what it may touch there.
 */
export function typedInputs(
  workflow: Pick<YamlWorkflow, 'name' | 'inputs'>,
  given: Readonly<Record<string, InputValue>>,
): { ok: true; inputs: Record<string, InputValue> } | { ok: false; error: string } {
  const declared = Object.entries(workflow.inputs);
  const names = declared.map(([name]) => name);
  const unknown = Object.keys(given).filter((name) => !names.includes(name));
  if (unknown.length > 0)
    return {
      ok: false,
      error: `it has no input ${unknown.join(', ')} (inputs: ${names.join(', ') || 'none'})`,
    };
  const inputs: Record<string, InputValue> = {};
  const problems: string[] = [];
  for (const [name, input] of declared) {
    // An input left empty (a blank field on the dashboard, `revision=`) is not given.
    const value = Object.hasOwn(given, name) && given[name] !== '' ? given[name] : undefined;
    if (value === undefined) {
      if (input.default !== undefined) inputs[name] = input.default;
      else if (input.required) problems.push(`${name} is required (${input.type})`);
      continue;
    }
    const typed = asType(value, input.type);
    if (typed === undefined)
      problems.push(`${name} must be a ${input.type}, not ${JSON.stringify(value)}`);
    else inputs[name] = typed;
  }
  if (problems.length > 0) return { ok: false, error: problems.join('; ') };
  return { ok: true, inputs };
}

function asType(value: InputValue, type: 'string' | 'number' | 'boolean'): InputValue | undefined {
  if (typeof value === type) return value;
  if (typeof value !== 'string') return type === 'string' ? String(value) : undefined;
  if (type === 'string') return value;
  if (type === 'number') {
    const number = Number(value);
    return value.trim() !== '' && Number.isFinite(number) ? number : undefined;
  }
  if (/^(true|yes)$/i.test(value)) return true;
  if (/^(false|no)$/i.test(value)) return false;
  return undefined;
}

type PlaceDeps = {
  bindings: readonly Binding[];
  routes: readonly Route[];
  /** The cluster a run with no binding works on (the config's first). */
  defaultCluster: string;
};

/**
 * Where a run reports and what it may touch. A person's run: their channel, its binding as the
 * config has it now (a channel without one runs nothing). A schedule's: the channel the routes
 * give `workflow=NAME`; an alert's: the channel its labels route to. A run that no route sends to
 * a bound channel posts nowhere (the dashboard shows it to those who may see the whole cluster),
 * reads the default cluster and may change nothing.
 */
export function placeOf(job: WorkflowRunJob, deps: PlaceDeps): RunPlace | string {
  if (job.channel !== undefined && bindingFor(job.channel, deps.bindings) === undefined)
    return `this channel (${job.channel}) has no binding, so I cannot run workflows here`;
  const routed = job.channel ?? routedChannel(job, deps.routes);
  const binding = routed === undefined ? undefined : bindingFor(routed, deps.bindings);
  if (binding === undefined || routed === undefined)
    // What a run reads is posted only where a binding says who may see it.
    return {
      requester: job.requester,
      cluster: job.cluster ?? deps.defaultCluster,
      namespaces: ['*'],
      maxTier: 'safe',
    };
  const wanted = job.cluster ?? alertCluster(job, binding) ?? binding.clusters[0];
  if (wanted === undefined || !binding.clusters.includes(wanted))
    return `this channel is bound to ${binding.clusters.join(', ')}, not cluster ${wanted}`;
  return {
    channel: routed,
    ...(job.thread === undefined ? {} : { thread: job.thread }),
    ...(job.threadKey === undefined ? {} : { threadKey: job.threadKey }),
    requester: job.requester,
    cluster: wanted,
    namespaces: [...binding.namespaces],
    maxTier: binding.maxTier,
  };
}

/**
 * Where to say that an alert's run could not start: the group's thread in the channel the run
 * would have posted in, when a binding covers that channel.
 */
export function alertRefusalPlace(
  job: WorkflowRunJob,
  deps: Pick<PlaceDeps, 'bindings' | 'routes'>,
): { channel: ChannelRef; threadKey: string } | undefined {
  if (job.trigger !== 'alert' || job.threadKey === undefined) return undefined;
  const channel = routedChannel(job, deps.routes);
  if (channel === undefined || bindingFor(channel, deps.bindings) === undefined) return undefined;
  return { channel, threadKey: job.threadKey };
}

/**
 * The first channel of the first route whose matchers all equal the labels: a schedule's
 * `workflow=NAME`, an alert's own. Unlike an alert's message, a run has no default channel.
 */
function routedChannel(job: WorkflowRunJob, routes: readonly Route[]) {
  if (job.trigger === 'manual') return undefined;
  const labels = job.trigger === 'schedule' ? { workflow: job.workflow } : labelsOf(job.alert);
  return routes.find((route) => routeMatches(route, labels))?.channels[0];
}

/** An alert's `cluster` label, when the binding reaches that cluster. */
function alertCluster(job: WorkflowRunJob, binding: Binding): string | undefined {
  const cluster = labelsOf(job.alert).cluster;
  return cluster !== undefined && binding.clusters.includes(cluster) ? cluster : undefined;
}

export function labelsOf(alert: WorkflowRunJob['alert']): Record<string, string> {
  const labels = alert?.labels;
  if (typeof labels !== 'object' || labels === null) return {};
  return Object.fromEntries(
    Object.entries(labels).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** An input naming a namespace the place may not see is refused before anything runs. */
export function namespaceRefusal(
  place: RunPlace,
  inputs: Readonly<Record<string, InputValue>>,
  job?: Pick<WorkflowRunJob, 'trigger' | 'alert'>,
) {
  // An alert's run is about the alert's namespace, whatever its inputs say.
  const about = job?.trigger === 'alert' ? labelsOf(job.alert).namespace : undefined;
  if (about !== undefined && !inScope(place.namespaces, about))
    return `the alert's namespace ${about} is outside what this channel may see (${place.namespaces.join(', ')})`;
  const namespace = inputs.namespace;
  if (typeof namespace !== 'string' || inScope(place.namespaces, namespace)) return undefined;
  return `namespace ${namespace} is outside what this channel may see (${place.namespaces.join(', ')})`;
}

export function runRecord(
  workflow: YamlWorkflow,
  job: WorkflowRunJob,
  runId: string,
  inputs: Record<string, InputValue>,
  place: RunPlace,
  now: Date,
): RunRecord {
  return {
    runId,
    trigger: job.trigger,
    inputs,
    ...(job.alert === undefined ? {} : { alert: job.alert }),
    place,
    startedAt: now.toISOString(),
    workflow,
  };
}
