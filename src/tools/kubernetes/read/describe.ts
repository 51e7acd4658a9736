import type {
  CoreV1Event,
  V1Container,
  V1LabelSelector,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { CoxswainError } from '../../../errors.ts';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { Cluster } from '../cluster.ts';
import type { KubeContext } from '../context.ts';
import { Name, Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { age } from '../format.ts';
import { formatEvents } from './events.ts';
import { formatNodes } from './nodes.ts';
import { formatPods } from './pods.ts';
import { history, readRollout, rolloutSummary } from './rollout.ts';

export const describeObject = defineTool({
  name: 'describe',
  description:
    'Describe a pod, deployment or node: its state, containers (images, resources, last termination), conditions, owned objects, and its recent events.',
  verb: 'describe',
  scope: (input) =>
    // A node's description lists the pods of every namespace.
    input.kind === 'node'
      ? { namespaces: 'all', reason: 'describing a node shows pods of every namespace' }
      : namespaceScope(input.namespace),
  input: z.object({
    kind: z.enum(['pod', 'deployment', 'node']).describe('What to describe'),
    name: Name,
    namespace: Namespace.optional().describe('Namespace (not for nodes)'),
  }),
  async run({ cluster }: KubeContext, input) {
    if (input.kind === 'node') return describeNode(cluster, input.name);
    if (input.namespace === undefined) {
      throw new CoxswainError(
        'kubernetes_api',
        `a namespace is needed to describe a ${input.kind}`,
      );
    }
    return input.kind === 'pod'
      ? describePod(cluster, input.namespace, input.name)
      : describeDeployment(cluster, input.namespace, input.name);
  },
});

async function eventsOf(
  cluster: Cluster,
  namespace: string,
  kind: string,
  name: string,
): Promise<CoreV1Event[]> {
  const list = await cluster.core
    .listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
    })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'events', namespace });
    });
  return list.items;
}

async function describePod(cluster: Cluster, namespace: string, name: string): Promise<string> {
  const pod = await cluster.core.readNamespacedPod({ name, namespace }).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'read', resource: 'pod', namespace, name });
  });
  const events = await eventsOf(cluster, namespace, 'Pod', name);
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  const lines = [
    `pod ${namespace}/${name} on node ${pod.spec?.nodeName ?? '(not scheduled)'}, phase ${pod.status?.phase}, age ${age(pod.metadata?.creationTimestamp)}`,
    `controlled by: ${owner ? `${owner.kind}/${owner.name}` : 'nothing (a bare pod)'}; QoS ${pod.status?.qosClass ?? '?'}`,
    `conditions: ${(pod.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`).join('; ')}`,
    '',
    ...(pod.spec?.containers ?? []).flatMap((c) => containerLines(pod, c)),
    '',
    events.length === 0 ? 'events: none' : `events:\n${formatEvents(events, false)}`,
  ];
  return lines.join('\n');
}

function containerLines(pod: V1Pod, container: V1Container): string[] {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container.name);
  const state = status?.state;
  const now = state?.running
    ? `running since ${age(state.running.startedAt)}`
    : state?.waiting
      ? `waiting: ${state.waiting.reason}${state.waiting.message ? ` (${state.waiting.message})` : ''}`
      : state?.terminated
        ? `terminated: ${state.terminated.reason} exit ${state.terminated.exitCode}`
        : 'no status';
  const last = status?.lastState?.terminated;
  const resources = container.resources ?? {};
  const quantities = (values: Record<string, string> | undefined) =>
    values === undefined
      ? 'none'
      : Object.entries(values)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
  const env = (container.env ?? []).map((e) =>
    e.valueFrom?.configMapKeyRef
      ? `${e.name} (from configmap ${e.valueFrom.configMapKeyRef.name})`
      : e.valueFrom?.secretKeyRef
        ? `${e.name} (from secret ${e.valueFrom.secretKeyRef.name})`
        : e.name,
  );
  const envFrom = (container.envFrom ?? []).map((e) =>
    e.configMapRef ? `configmap ${e.configMapRef.name}` : `secret ${e.secretRef?.name}`,
  );
  return [
    `container ${container.name}: image ${container.image}`,
    `  state: ${now}; ready ${status?.ready ?? false}; restarts ${status?.restartCount ?? 0}`,
    ...(last
      ? [
          `  last termination: ${last.reason} (exit ${last.exitCode}) finished ${age(last.finishedAt)} ago`,
        ]
      : []),
    `  requests: ${quantities(resources.requests)}; limits: ${quantities(resources.limits)}`,
    ...(env.length > 0 ? [`  env (values not shown): ${env.join(', ')}`] : []),
    ...(envFrom.length > 0 ? [`  env from: ${envFrom.join(', ')}`] : []),
    ...(container.readinessProbe ? ['  readiness probe: set'] : []),
  ];
}

async function describeDeployment(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<string> {
  const { deployment, replicaSets } = await readRollout(cluster, namespace, name);
  const events = await eventsOf(cluster, namespace, 'Deployment', name);
  const spec = deployment.spec;
  const strategy =
    spec?.strategy?.type === 'Recreate'
      ? 'Recreate'
      : `RollingUpdate (max surge ${spec?.strategy?.rollingUpdate?.maxSurge ?? '25%'}, max unavailable ${spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%'})`;
  const selector = selectorText(spec?.selector);
  const pods = await cluster.core
    .listNamespacedPod({ namespace, labelSelector: selector })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'pods', namespace });
    });
  const template = { metadata: { name: 'template' }, spec: spec?.template.spec } as V1Pod;
  return [
    rolloutSummary(deployment),
    `strategy: ${strategy}; selector: ${selector}; age ${age(deployment.metadata?.creationTimestamp)}${spec?.paused ? '; PAUSED' : ''}`,
    `conditions: ${(deployment.status?.conditions ?? []).map((c) => `${c.type}=${c.status} (${c.reason}: ${c.message})`).join('; ')}`,
    '',
    ...(spec?.template.spec?.containers ?? []).flatMap((c) =>
      containerLines(template, c).filter(
        (l) => !l.startsWith('  state') && !l.startsWith('  last'),
      ),
    ),
    '',
    `revisions:\n${history(deployment, replicaSets)}`,
    '',
    formatPods(pods.items, namespace),
    '',
    events.length === 0 ? 'events: none' : `events:\n${formatEvents(events, false)}`,
  ].join('\n');
}

async function describeNode(cluster: Cluster, name: string): Promise<string> {
  const node: V1Node = await cluster.core.readNode({ name }).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'read', resource: 'node', name });
  });
  const pods = await cluster.core
    .listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'pods' });
    });
  const events = await cluster.core
    .listEventForAllNamespaces({
      fieldSelector: `involvedObject.kind=Node,involvedObject.name=${name}`,
    })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'events' });
    });
  const info = node.status?.nodeInfo;
  return [
    formatNodes([node], pods.items),
    '',
    `kubelet ${info?.kubeletVersion ?? '?'}, ${info?.osImage ?? '?'}, ${info?.containerRuntimeVersion ?? '?'}`,
    `capacity: ${Object.entries(node.status?.capacity ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `allocatable: ${Object.entries(node.status?.allocatable ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    formatPods(pods.items, undefined),
    '',
    events.items.length === 0 ? 'events: none' : `events:\n${formatEvents(events.items, false)}`,
  ].join('\n');
}

/** A label selector object as the query string form, expressions included. */
function selectorText(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') return `${e.key} in (${values})`;
    if (e.operator === 'NotIn') return `${e.key} notin (${values})`;
    if (e.operator === 'Exists') return e.key;
    return `!${e.key}`;
  });
  return [...labels, ...expressions].join(',');
}
