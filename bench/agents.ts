import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { stringify } from 'yaml';
import { JOB_OPTIONS } from '../src/queue/queues.ts';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../test/support/messages-api.ts';
import { type Child, spawnNode } from './support.ts';

/**
 * The agent engine with a model that answers at once (a local Messages API): an orchestrator
 * that asks three specialists in parallel, each making one tool call against the sandbox, then
 * replies. Printed: runs per second with one and with two `coxswain worker` processes, the
 * median time of one run alone (the engine's overhead), and the tokens of the crashloop
 * question, estimated at four characters a token, with the share read from the prompt cache.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const ALONE = 15;

export const fanOut = (request: MessagesRequest): ScriptedTurn => {
  const system = JSON.stringify(request.system);
  const turn = request.messages.length;
  if (system.includes("Coxswain's orchestrator")) {
    if (turn > 1)
      return { content: [toolUse('r', 'reply', { text: 'All three specialists reported.' })] };
    return {
      content: [
        toolUse('d', 'delegate', {
          tasks: [
            {
              agent: 'k8s-diagnostician',
              task: 'List the pods of namespace payments and report failures.',
            },
            {
              agent: 'prometheus-analyst',
              task: 'Report memory use of the pods in namespace payments.',
            },
            {
              agent: 'argocd-operator',
              task: 'Report the Argo CD applications and their sync status.',
            },
          ],
        }),
      ],
    };
  }
  if (turn > 1) return { content: [text('Reported.')] };
  if (system.includes('diagnostician'))
    return { content: [toolUse('t', 'list_pods', { namespace: 'payments' })] };
  if (system.includes('metrics analyst'))
    return { content: [toolUse('t', 'top', { namespace: 'payments' })] };
  return { content: [toolUse('t', 'get', { kind: 'Application', namespace: 'argocd' })] };
};

const crashloop = (request: MessagesRequest): ScriptedTurn => {
  const orchestrator = JSON.stringify(request.system).includes("Coxswain's orchestrator");
  const turn = request.messages.length;
  if (orchestrator && turn === 1) {
    return {
      content: [
        toolUse('d', 'delegate', {
          tasks: [
            {
              agent: 'k8s-diagnostician',
              task: 'Why do pods in namespace payments crash loop? Report cause and evidence.',
            },
          ],
        }),
      ],
    };
  }
  if (orchestrator)
    return {
      content: [
        toolUse('r', 'reply', {
          text: 'payments-api is OOMKilled at its 256Mi limit; 384Mi is proposed.',
        }),
      ],
    };
  const pod = /payments-api-[a-z0-9]+-[a-z0-9]+/.exec(JSON.stringify(request.messages))?.[0] ?? '';
  if (turn === 1) return { content: [toolUse('a', 'list_pods', { namespace: 'payments' })] };
  if (turn === 3)
    return {
      content: [toolUse('b', 'pod_logs', { namespace: 'payments', pod, previous: true, tail: 50 })],
    };
  if (turn === 5)
    return {
      content: [
        toolUse('c', 'set_resources', {
          namespace: 'payments',
          name: 'payments-api',
          container: 'api',
          limits: { memory: '384Mi' },
        }),
      ],
    };
  return { content: [text('Cause: OOMKilled, exit 137 at the 256Mi limit. Proposed 384Mi.')] };
};

export async function benchAgents(): Promise<void> {
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({
    scenarios: ['oom-crashloop', 'healthy', 'argocd-out-of-sync'],
  });
  const api = new MessagesApi();
  api.estimateUsage = true;
  const baseUrl = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-agents-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const config = join(dir, 'coxswain.yaml');
  writeFileSync(config, stringify({ clusters: [{ name: 'sandbox', kubeconfig }] }));
  const env = (prefix: string, port: number) => ({
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    WORKER_PORT: String(port),
    COXSWAIN_CONFIG: config,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: baseUrl,
    LOG_LEVEL: 'warn',
  });
  const started: Child[] = [];
  try {
    console.log('\n## agents (orchestrator + 3 parallel specialists, zero-latency model)');
    for (const count of [1, 2]) {
      const prefix = `bench-agents-${count}`;
      const workers: Child[] = [];
      for (let i = 0; i < count; i++) {
        const port = 19_300 + count * 10 + i;
        workers.push(
          await spawnNode(
            ['bin/coxswain.js', 'worker'],
            env(prefix, port),
            `http://127.0.0.1:${port}/healthz`,
          ),
        );
      }
      started.push(...workers);
      const runs = new Queue('runs', {
        connection: { url: redis.url },
        prefix,
        defaultJobOptions: JOB_OPTIONS.runs,
      });
      api.respond = fanOut;
      const t0 = performance.now();
      const ids = await Promise.all(
        Array.from({ length: RUNS }, (_, i) => ask(runs, `bench.${count}.${i}`)),
      );
      await Promise.all(ids.map((id) => finished(runs, id)));
      const seconds = (performance.now() - t0) / 1000;
      const alone: number[] = [];
      for (let i = 0; i < ALONE; i++) {
        const s0 = performance.now();
        await finished(runs, await ask(runs, `alone.${count}.${i}`));
        alone.push(performance.now() - s0);
      }
      alone.sort((a, b) => a - b);
      console.log(
        `${count} worker${count === 1 ? '' : 's'} (WORKER_CONCURRENCY default each): ${RUNS} runs in ${seconds.toFixed(1)} s = ${(RUNS / seconds).toFixed(1)} runs/s; one run alone: median ${alone[Math.floor(ALONE / 2)]?.toFixed(0)} ms (min ${alone[0]?.toFixed(0)}, max ${alone[ALONE - 1]?.toFixed(0)}) for 8 model calls and 3 tool calls`,
      );
      await runs.close();
      for (const w of workers) await w.stop();
    }

    const prefix = 'bench-agents-tokens';
    const worker = await spawnNode(
      ['bin/coxswain.js', 'worker'],
      env(prefix, 19_390),
      'http://127.0.0.1:19390/healthz',
    );
    started.push(worker);
    const runs = new Queue('runs', {
      connection: { url: redis.url },
      prefix,
      defaultJobOptions: JOB_OPTIONS.runs,
    });
    api.respond = crashloop;
    for (const round of [1, 2]) {
      api.requests.length = 0;
      await finished(runs, await ask(runs, `tokens.${round}`));
      const usage = api.requests.map((r) => estimate(r.body));
      const total = usage.reduce((sum, u) => sum + u.input + u.cached, 0);
      const cacheRead = usage.reduce((sum, u) => sum + u.read, 0);
      console.log(
        `crashloop question, run ${round}: ${usage.length} model calls, input tokens per call ${usage.map((u) => u.input + u.cached).join(', ')} (estimated); ${total} per run, ${((cacheRead / total) * 100).toFixed(0)}% read from cache`,
      );
    }
    await runs.close();
  } finally {
    for (const w of started) await w.stop();
    await api.stop();
    await sandbox.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Tokens of one call: the system prompt and tools are cached after the first call with them;
   * the conversation is cached up to the previous call's last message (its breakpoint).
   */
  function estimate(body: MessagesRequest) {
    const count = (value: unknown) => Math.ceil(JSON.stringify(value ?? '').length / 4);
    const prefix = JSON.stringify([body.model, body.tools, body.system]);
    const conversation = `${prefix}${JSON.stringify(body.messages[0])}`;
    const previous = earlier.get(conversation) ?? 0;
    const read =
      (seen.has(prefix) ? count(body.tools) + count(body.system) : 0) +
      count(body.messages.slice(0, previous));
    seen.add(prefix);
    earlier.set(conversation, body.messages.length);
    return { input: count(body.messages), cached: count(body.tools) + count(body.system), read };
  }
}

const seen = new Set<string>();
const earlier = new Map<string, number>();

export async function ask(runs: Queue, runId: string): Promise<string> {
  await runs.add(
    'ask',
    {
      kind: 'ask',
      runId,
      receivedAt: new Date().toISOString(),
      question: 'What is the state of payments?',
      requester: 'web:bench',
      cluster: 'sandbox',
      namespaces: ['*'],
    },
    { jobId: runId },
  );
  return runId;
}

export async function finished(runs: Queue, id: string): Promise<void> {
  for (;;) {
    const job = await runs.getJob(id);
    if (job?.finishedOn !== undefined) {
      if (job.failedReason) throw new Error(`run ${id} failed: ${job.failedReason}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
