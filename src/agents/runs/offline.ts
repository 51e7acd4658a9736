import type { z } from 'zod';
import { proposalId } from '../../approvals/proposal-store.ts';
import { diagnose } from '../../commands/diagnose.ts';
import { inScope } from '../../policy/command-scope.ts';
import { argocdFindings } from '../../tools/argocd/findings.ts';
import { argocdApplications } from '../../tools/argocd/read-tools.ts';
import { type Finding, redactFinding } from '../../tools/kubernetes/analyzers/index.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import { withRanked } from '../../tools/kubernetes/rank-findings.ts';
import { top } from '../../tools/kubernetes/read/index.ts';
import { lastHourMemoryFindings, lastHourMetrics } from '../../tools/metrics/last-hour.ts';
import { runTool, type Tool, type ToolResult } from '../../tools/tool.ts';
import { since } from '../tool-use/model-tools.ts';
import { tierRefusal } from '../tool-use/refusals.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
import { leadReport } from './lead-report.ts';
import { namespaceIn } from './namespace-in.ts';

/**
 * The engine without a model. Rules pick the specialists from the question (the diagnostician
 * always; Argo CD and metrics when the words ask for them), each answers from the analyzers and
 * the read tools, and the report is composed the way the orchestrator is asked to: headline,
 * cause, evidence, next steps, with the analyzers' fixes recorded as proposals.
 */
type OfflineEngine = Pick<
  EngineContext,
  'kube' | 'proposals' | 'autonomy' | 'maxTier' | 'log' | 'monitoring'
> &
  Partial<Pick<EngineContext, 'git'>>;

type OfflineAnswer = {
  answer: string;
  specialists: SpecialistResult[];
  namespace: string | undefined;
  /** What the analyzers found, for callers that read it as data (a workflow step's outputs). */
  findings: Diagnosis['findings'];
};

const NO_USAGE = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 };

export async function answerOffline(
  engine: OfflineEngine,
  runId: string,
  question: string,
  /** Earlier questions in the conversation, newest first: a follow-up may not name its namespace. */
  earlier: readonly string[] = [],
  /** Changes people just rejected (their digests): a follow-up does not offer them again. */
  declined: readonly string[] = [],
): Promise<OfflineAnswer> {
  const visible = engine.kube.namespaces ?? ['*'];
  const namespace = await namespaceIn(engine.kube.cluster, [question, ...earlier], visible);
  const diagnosed = await diagnose(
    engine.kube.cluster,
    { namespace, visible, git: engine.git },
    engine.autonomy,
  );
  const diagnosis = {
    ...diagnosed,
    findings: await withMetricsFindings(engine, namespace, diagnosed.findings),
  };
  const allowed = diagnosis.actions.filter(
    ({ action }) => tierRefusal(action, engine) === undefined && !declined.includes(action.digest),
  );
  const notAgain = diagnosis.actions.filter(({ action }) => declined.includes(action.digest));
  const proposals = await recordFixes(engine, runId, allowed);
  const where = namespace === undefined ? 'the cluster' : `namespace ${namespace}`;
  const report = leadReport(diagnosis.findings, where, diagnosis.checked);
  const specialists: SpecialistResult[] = [
    {
      agent: 'k8s-diagnostician',
      runId,
      answer: report.join('\n'),
      proposals,
      usage: NO_USAGE,
    },
    ...(await otherReports(engine, runId, question, namespace, visible)),
  ];
  const lines = [
    ...report,
    ...specialists.slice(1).flatMap((s) => ['', `From ${s.agent}:`, s.answer]),
    ...nextSteps(diagnosis.findings, allowed, proposals),
    ...notAgain.map(
      ({ action }) => `Not proposed again, since it was just rejected: ${action.summary}.`,
    ),
    '',
    '(Answered by the analyzers: no model is configured.)',
  ];
  return { answer: lines.join('\n'), specialists, namespace, findings: diagnosis.findings };
}

type Diagnosis = Awaited<ReturnType<typeof diagnose>>;

/**
 * The diagnosis's findings with what Prometheus measured over the last hour told among them: a
 * container near its memory limit has failed at nothing the cluster's objects show yet.
 */
async function withMetricsFindings(
  engine: OfflineEngine,
  namespace: string | undefined,
  findings: Finding[],
): Promise<Finding[]> {
  const prometheus = engine.monitoring?.prometheusUrl === undefined ? undefined : engine.monitoring;
  if (prometheus === undefined || namespace === undefined) return findings;
  const measured = await lastHourMemoryFindings(prometheus, namespace);
  return withRanked(findings, measured.map(redactFinding));
}

/** The analyzers' fixes as proposals, each under an id from what it changes. */
async function recordFixes(
  engine: OfflineEngine,
  runId: string,
  allowed: Diagnosis['actions'],
): Promise<string[]> {
  const proposals: string[] = [];
  for (const { action } of allowed) {
    // Named by what it changes, so a retried run that finds the same fix finds the same record.
    const id = proposalId(
      runId,
      `offline-${action.target.kind}-${action.target.namespace}-${action.target.name}-${action.type}`,
    );
    await engine.proposals.create({
      id,
      runId,
      agent: 'k8s-diagnostician',
      action,
      state: 'pending',
      createdAt: new Date().toISOString(),
    });
    proposals.push(id);
  }
  return proposals;
}

/** Argo CD's applications and the pods' usage, when the question's words ask for them. */
async function otherReports(
  engine: OfflineEngine,
  runId: string,
  question: string,
  namespace: string | undefined,
  visible: readonly string[],
): Promise<SpecialistResult[]> {
  const reports: SpecialistResult[] = [];
  if (
    /\b(argo|argocd|sync|synced|gitops|application)/i.test(question) &&
    inScope(visible, 'argocd')
  ) {
    const apps = await loggedTool(engine, runId, argocdApplications, { namespace: 'argocd' });
    const findings = await argocdFindings(engine.kube.cluster, 'argocd', visible).catch(
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    const found =
      typeof findings === 'string'
        ? [`(the Argo CD analyzers could not run: ${findings})`]
        : findings.flatMap((f) => [
            `- ${f.title}`,
            ...f.evidence.slice(0, 4).map((e) => `    ${e}`),
          ]);
    reports.push({
      agent: 'argocd-operator',
      runId,
      answer: [apps.ok ? apps.text : apps.error, ...found].join('\n'),
      proposals: [],
      usage: NO_USAGE,
    });
  }
  const prometheus = engine.monitoring?.prometheusUrl === undefined ? undefined : engine.monitoring;
  const asksUsage = /\b(memory|cpu|usage|metrics|top|resources?)\b/i.test(question);
  // With Prometheus, history helps whatever is wrong: crash loops show as restarts, OOM kills
  // as memory at the limit.
  if ((asksUsage || prometheus !== undefined) && namespace !== undefined) {
    const usage = asksUsage ? await loggedTool(engine, runId, top, { namespace }) : undefined;
    const history =
      prometheus === undefined ? undefined : await lastHourMetrics(prometheus, namespace);
    const now = usage === undefined ? [] : [usage.ok ? usage.text : usage.error];
    reports.push({
      agent: 'prometheus-analyst',
      runId,
      answer: [...now, ...(history === undefined ? [] : [history])].join('\n\n'),
      proposals: [],
      usage: NO_USAGE,
    });
  }
  return reports;
}

function nextSteps(
  findings: Diagnosis['findings'],
  allowed: Diagnosis['actions'],
  proposals: readonly string[],
): string[] {
  if (allowed.length === 0) {
    return findings.every((f) => f.severity === 'info')
      ? []
      : [
          '',
          'Next steps: the analyzers know no fix for this to propose; nothing has been changed.',
        ];
  }
  return [
    '',
    'Next steps (proposed, awaiting approval; nothing has been changed):',
    ...allowed.map(
      ({ action, tier }, i) => `- ${action.summary} (${tier} tier, proposal ${proposals[i]})`,
    ),
  ];
}

/** A read tool's run, with its line in the run's log as the model's tool calls have. */
async function loggedTool<Input extends z.ZodType>(
  engine: OfflineEngine,
  runId: string,
  tool: Tool<Input, KubeContext>,
  input: z.input<Input>,
): Promise<ToolResult> {
  const started = performance.now();
  const result = await runTool(tool, engine.kube, input);
  engine.log.info(
    {
      runId,
      agent: 'analyzers',
      tool: tool.name,
      error: !result.ok,
      ms: since(started),
    },
    'tool call',
  );
  return result;
}
