import { readFileSync } from 'node:fs';
import { investigation } from '../../src/alerts/investigate.ts';
import { AlertmanagerPayload } from '../../src/alerts/schema.ts';
import { Binding } from '../../src/config/policy-schema.ts';
import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';
import { type MessagesRequest, type ScriptedTurn, text, toolUse } from './messages-api.ts';

/**
 * A scripted model for the crashloop investigation, acting on what it is sent the way the
 * shipped prompts ask. The orchestrator delegates the alert to the diagnostician with a
 * self-contained task, then answers from its report. The diagnostician starts from the
 * analyzers' findings: when the lead one is certain or likely it proposes that cause's fix and
 * reports (`as prompted`); `reads the log first` also reads the crashed container's previous log
 * before it proposes, as a model that wants a log line to quote would. Without a known cause it
 * lists the pods, describes the failing one and reads its previous log. Its report and the
 * answer are written from the evidence it was given, as long as a real one would be.
 */
export type Variant = 'as prompted' | 'reads the log first';

const ORCHESTRATOR = "Coxswain's orchestrator";

export function investigator(variant: Variant) {
  return (request: MessagesRequest): ScriptedTurn =>
    JSON.stringify(request.system).includes(ORCHESTRATOR)
      ? orchestrator(request)
      : diagnostician(request, variant);
}

function orchestrator(request: MessagesRequest): ScriptedTurn {
  const results = toolResults(request);
  if (results.length === 0) {
    const question = textOf(request.messages[0]?.content);
    const labels = /"labels": (\{[\s\S]*?\})/.exec(question)?.[1] ?? '{}';
    const { namespace, pod, alertname } = JSON.parse(labels) as Record<string, string>;
    const task = `${alertname} fired for pod ${pod} in namespace ${namespace}: it is crash looping. Find why it restarts, with the evidence (termination reason, exit code, events, log lines), and propose the fix if one is safe. Report the symptom, Cause:, Confidence: with its reason, the evidence, and any proposal.`;
    return {
      content: [
        toolUse('d1', 'delegate', {
          tasks: [{ agent: 'k8s-diagnostician', task, model: 'sonnet' }],
        }),
      ],
    };
  }
  const report = inside(results[0] ?? '').filter((l) => !l.startsWith('## '));
  const proposals = /Proposals awaiting approval: (.+)/.exec(results[0] ?? '')?.[1];
  const answer = [
    ...report.filter((l) => !l.startsWith('Proposals awaiting approval')),
    '',
    'Next steps:',
    proposals === undefined
      ? '- Nothing was proposed: see the evidence above.'
      : `- Review and approve the proposal awaiting approval (${proposals}); after the rollout, check that the restarts stop.`,
    '- If memory keeps growing after the increase, look for a leak rather than raising the limit again.',
  ].join('\n');
  return { content: [toolUse('r1', 'reply', { text: answer })] };
}

function diagnostician(request: MessagesRequest, variant: Variant): ScriptedTurn {
  const first = textOf(request.messages[0]?.content);
  const results = toolResults(request);
  const lead = leadFinding(first);
  const steps = plan(lead, variant, first);
  const step = steps[results.length];
  if (step !== undefined) return { content: [step] };
  return { content: [text(report(lead, results))] };
}

type Lead = {
  namespace: string;
  pod: string;
  container: string;
  known: boolean;
  oom: boolean;
  limitMi: number | undefined;
  evidence: string[];
};

/** The analyzers' first finding, as the model reads it from its first turn. */
function leadFinding(first: string): Lead | undefined {
  const head = /1\. \[\w+\] Pod ([a-z0-9-]+)\/([a-z0-9.-]+): container (\S+) of pod/.exec(first);
  if (head === null) return undefined;
  const section = first.slice(head.index).split(/\n\n/)[0] ?? '';
  return {
    namespace: head[1] ?? '',
    pod: head[2] ?? '',
    container: head[3] ?? '',
    known: /Confidence: (certain|likely)/.test(section),
    oom: /OOMKilled/.test(section),
    limitMi: Number(/(\d+)Mi memory limit/.exec(section)?.[1] ?? Number.NaN) || undefined,
    evidence: section
      .split('\n')
      .filter((l) => l.startsWith('   - '))
      .map((l) => l.slice(5)),
  };
}

function plan(lead: Lead | undefined, variant: Variant, first: string) {
  const namespace = lead?.namespace ?? /namespace ([a-z0-9-]+)/.exec(first)?.[1] ?? 'default';
  if (lead === undefined || !lead.known) {
    const pod = lead?.pod ?? '';
    return [
      toolUse('a', 'list_pods', { namespace }),
      toolUse('b', 'describe', { kind: 'pod', namespace, name: pod }),
      toolUse('c', 'pod_logs', { namespace, pod, previous: true, tail: 50 }),
    ];
  }
  const log =
    variant === 'reads the log first'
      ? [toolUse('l', 'pod_logs', { namespace, pod: lead.pod, previous: true, tail: 50 })]
      : [];
  const fix =
    lead.oom && lead.limitMi !== undefined
      ? [
          toolUse('f', 'set_resources', {
            namespace,
            name: lead.pod.split('-').slice(0, -2).join('-'),
            container: lead.container,
            limits: { memory: `${Math.round((lead.limitMi * 1.5) / 64) * 64}Mi` },
          }),
        ]
      : [];
  return [...log, ...fix];
}

/** The report the prompt asks for: symptom, cause, confidence, quoted evidence, the fix. */
function report(lead: Lead | undefined, results: string[]): string {
  if (lead === undefined) return 'Cause: could not determine: the analyzers found nothing.';
  const logLine = results
    .filter((r) => r.includes('source="pod_logs"'))
    .flatMap(inside)
    .filter((l) => / (error|warn|memory|heap|cache)/i.test(l))
    .at(-1);
  const proposed = results.map((r) => /Proposed, not done: ([^\n(]+)/.exec(r)?.[1]).find(Boolean);
  return [
    `Pod ${lead.namespace}/${lead.pod} is crash looping: container ${lead.container} is OOMKilled on every start.`,
    `Cause: the container needs more memory than its ${lead.limitMi}Mi limit, so the kernel kills it (exit code 137).`,
    'Confidence: certain — the last termination reason is OOMKilled, exit code 137.',
    'Evidence:',
    ...lead.evidence.slice(0, 3).map((e) => `- ${e}`),
    ...(logLine === undefined ? [] : [`- previous log: "${logLine.trim()}"`]),
    proposed === undefined
      ? 'No fix proposed.'
      : `Proposed (awaiting approval, not done): ${proposed.trim()}.`,
    'Not checked: memory use over time (no Prometheus in this task).',
  ].join('\n');
}

function toolResults(request: MessagesRequest): string[] {
  return request.messages.flatMap((m) =>
    Array.isArray(m.content)
      ? (m.content as { type: string; content?: unknown }[])
          .filter((c) => c.type === 'tool_result')
          .map((c) => textOf(c.content))
      : [],
  );
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { text?: string }[]).map((b) => b.text ?? '').join('\n');
}

/** A tool's output without the data fence the engine puts around it. */
function inside(result: string): string[] {
  const fenced = /<data-[0-9a-f]+[^>]*>\n([\s\S]*?)\n<\/data-/.exec(result)?.[1] ?? result;
  return fenced.split('\n').filter((l) => l.trim() !== '');
}

/** A namespace's crash-looping pods (restarted at least once), once there are two. */
export async function crashLoopingPods(cluster: Cluster, namespace: string): Promise<string[]> {
  for (let tries = 0; tries < 100; tries++) {
    const pods = await cluster.core.listNamespacedPod({ namespace });
    const names = pods.items
      .filter((p) => (p.status?.containerStatuses ?? []).some((s) => s.restartCount > 0))
      .map((p) => p.metadata?.name ?? '');
    if (names.length >= 2) return names.sort();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no two crash-looping pods in ${namespace}`);
}

/**
 * The question the default investigation of KubePodCrashLooping asks (the firing fixture's
 * alert, about this pod).
 */
export function crashLoopAlertQuestion(namespace: string, pod: string): string {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/alertmanager/firing.json', import.meta.url), 'utf8'),
  ) as { alerts: { labels: Record<string, string> }[]; commonLabels: Record<string, string> };
  for (const labels of [fixture.commonLabels, ...fixture.alerts.map((a) => a.labels)]) {
    labels.pod = pod;
    labels.namespace = namespace;
  }
  const payload = AlertmanagerPayload.parse(fixture);
  const bindings = [Binding.parse({ channel: 'web:oncall', clusters: ['sandbox'] })];
  const found = investigation(
    payload,
    payload.alerts,
    { channels: ['web:oncall'], bindings, threadKey: 'bench' },
    new Date().toISOString(),
  );
  if (found === undefined) throw new Error('the alert was not investigated');
  return found.data.question;
}
