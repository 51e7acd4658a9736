import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlineDelegator } from '../src/agents/runs/inline-delegator.ts';
import { runOrchestrator } from '../src/agents/runs/orchestrator.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { connect } from '../src/tools/kubernetes/cluster.ts';
import { inProcessEngine } from '../test/support/engine.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../test/support/messages-api.ts';

/**
 * Model calls and tokens per fault scenario, for one question through the engine in this process
 * (orchestrator, then the diagnostician) against the sandbox and a local Messages API that
 * estimates usage at four characters a token with prompt caching. The scripted model does what a
 * careful one would: when its first turn already holds a finding with a known cause (certain or
 * likely), it proposes the fix that cause calls for and reports; otherwise it lists the pods,
 * describes the failing one and reads its previous log before it does. Run on a build without
 * the analyzers' evidence in the first turn, the same script gives the figures to compare with.
 */
const SCENARIOS = [
  { scenario: 'oom-crashloop', namespace: 'payments' },
  { scenario: 'bad-rollout', namespace: 'orders' },
  { scenario: 'image-pull-backoff', namespace: 'checkout' },
  { scenario: 'missing-configmap', namespace: 'inventory' },
];

const ORCHESTRATOR = "Coxswain's orchestrator";
const FAILING =
  /\b([a-z0-9-]+-[a-z0-9]{5,10}-[a-z0-9]{5})\b[^\n]*(CrashLoopBackOff|OOMKilled|Error|ImagePull|ErrImage|CreateContainerConfigError|Pending)/;

function model(namespace: string) {
  return (request: MessagesRequest): ScriptedTurn => {
    const turn = request.messages.length;
    const seen = JSON.stringify(request.messages);
    if (JSON.stringify(request.system).includes(ORCHESTRATOR)) {
      if (turn === 1) {
        const task = `Why do pods in namespace ${namespace} fail? Report cause, confidence and evidence.`;
        return {
          content: [toolUse('d', 'delegate', { tasks: [{ agent: 'k8s-diagnostician', task }] })],
        };
      }
      return {
        content: [toolUse('r', 'reply', { text: 'The diagnostician reported the cause.' })],
      };
    }
    const first = JSON.stringify(request.messages[0]?.content);
    const known = /Confidence: (certain|likely)/.test(first);
    const oom = /OOMKilled/.test(known ? first : seen);
    const pod = FAILING.exec(seen.replaceAll('\\n', '\n'))?.[1] ?? `${namespace}-pod`;
    // The investigation a model makes without the analyzers' findings: list, describe, logs.
    const steps = known
      ? []
      : [
          toolUse('a', 'list_pods', { namespace }),
          toolUse('b', 'describe', { kind: 'Pod', namespace, name: pod }),
          toolUse('c', 'pod_logs', { namespace, pod, previous: true, tail: 50 }),
        ];
    const fix = oom
      ? [
          toolUse('f', 'set_resources', {
            namespace,
            name: 'payments-api',
            container: 'api',
            limits: { memory: '384Mi' },
          }),
        ]
      : [];
    const step = [...steps, ...fix][(turn - 1) / 2];
    if (step !== undefined) return { content: [step] };
    return { content: [text('Cause, confidence and evidence as found; fix proposed if any.')] };
  };
}

export async function benchAnswerTokens(): Promise<void> {
  console.log('\n## answer tokens (orchestrator + diagnostician, scripted model, estimated usage)');
  for (const { scenario, namespace } of SCENARIOS) {
    const figures = await measure(scenario, namespace);
    console.log(
      `${scenario} (namespace ${namespace}): ${figures.calls} model calls (${figures.specialistCalls} by the diagnostician), ${figures.tokens} tokens (input ${figures.input}, cache read ${figures.cacheRead}, cache write ${figures.cacheWrite}, output ${figures.output}); diagnostician's first request ${figures.firstRequest} tokens`,
    );
  }
}

async function measure(scenario: string, namespace: string) {
  const sandbox = await startSandbox({ scenarios: [scenario] });
  const api = new MessagesApi();
  api.estimateUsage = true;
  api.respond = model(namespace);
  const baseUrl = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-answer-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    sandbox.writeKubeconfig(kubeconfig);
    const engine = inProcessEngine(connect({ name: 'sandbox', kubeconfig }), baseUrl);
    const runId = `bench-${scenario}`;
    const done = await runOrchestrator(
      engine,
      { runId, question: `What is wrong in namespace ${namespace}?` },
      inlineDelegator(engine, runId),
    );
    const usages = [done.state.usage, ...done.specialists.map((s) => s.usage)];
    const sum = (pick: (u: (typeof usages)[number]) => number) =>
      usages.reduce((total, u) => total + pick(u), 0);
    const first = api.requests.find((r) => !JSON.stringify(r.body.system).includes(ORCHESTRATOR));
    const input = sum((u) => u.input);
    const cacheRead = sum((u) => u.cacheRead);
    const cacheWrite = sum((u) => u.cacheWrite);
    const output = sum((u) => u.output);
    return {
      calls: sum((u) => u.calls ?? 0),
      specialistCalls: done.specialists.reduce((total, s) => total + (s.usage.calls ?? 0), 0),
      input,
      cacheRead,
      cacheWrite,
      output,
      tokens: input + cacheRead + cacheWrite + output,
      firstRequest: Math.ceil(JSON.stringify(first?.body.messages ?? '').length / 4),
    };
  } finally {
    await api.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
