import { buildEngine } from '../agents/runs/build-engine.ts';
import { MemoryCheckpoints } from '../agents/tool-use/checkpoints.ts';
import { MemoryProposals } from '../approvals/proposal-store.ts';
import { parseCommand } from '../commands/grammar.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import { createLogger } from '../observability/logger.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { modelAgent, offlineAgent } from '../workflows/agent-step.ts';
import { loadWorkflowFiles } from '../workflows/load-files.ts';
import { workflowTask } from '../workflows/markdown.ts';
import { runInProcess } from '../workflows/run-in-process.ts';
import { typedInputs } from '../workflows/start-run.ts';
import type { YamlWorkflow } from '../workflows/yaml-schema.ts';
import { UsageError } from './args.ts';
import { askInTerminal } from './ask.ts';

/**
 * `coxswain workflow list` and `coxswain workflow run NAME [key=value…]`: the workflows of
 * WORKFLOWS_DIR, and one run in this process against the current kubeconfig context (or
 * --cluster), with Claude when ANTHROPIC_API_KEY is set and the analyzers otherwise. The terminal
 * never changes a cluster: a run that reaches a change prints it and stops there.
 */
export async function workflowList(args: readonly string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`workflow list takes no arguments (got "${args[0]}")`);
  const config = loadClusterConfig(readEnv());
  const files = loadWorkflowFiles(config.workflowsDir, config.autonomy);
  const rows = [
    ...[...files.markdown.values()].map((w) => [w.name, 'manual', w.description ?? '', w.file]),
    ...[...files.yaml.values()].map((w) => [
      w.name,
      [...new Set(w.trigger.map(triggerText))].join(', '),
      w.description ?? '',
      w.file,
    ]),
  ].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  process.stdout.write(table([['NAME', 'TRIGGER', 'DESCRIPTION', 'FILE'], ...rows]));
  for (const problem of files.problems) process.stderr.write(`${problem}\n`);
  return 0;
}

function triggerText(trigger: YamlWorkflow['trigger'][number]): string {
  if (trigger.kind === 'schedule')
    return `schedule ${trigger.cron}${trigger.timezone === undefined ? '' : ` (${trigger.timezone})`}`;
  if (trigger.kind === 'alert')
    return `alert ${Object.entries(trigger.match)
      .map(([k, v]) => (typeof v === 'string' ? `${k}=${v}` : `${k}=~${v.regex}`))
      .join(',')}`;
  return 'manual';
}

function table(rows: readonly (readonly string[])[]): string {
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n')
    .concat('\n');
}

export async function workflowRun(args: readonly string[]): Promise<number> {
  const parsed = parseCommand(['workflow', ...args]);
  if (!parsed.ok) throw new UsageError(parsed.error);
  if (parsed.command.name !== 'workflow') throw new UsageError('workflow run NAME [key=value…]');
  const { workflow: name, inputs: given, cluster: clusterName } = parsed.command;
  const config = loadClusterConfig(readEnv());
  const files = loadWorkflowFiles(config.workflowsDir, config.autonomy);
  const markdown = files.markdown.get(name);
  if (markdown !== undefined) {
    const task = workflowTask(markdown, given);
    if (!task.ok) throw new UsageError(task.error);
    await askInTerminal(task.task, clusterName);
    return 0;
  }
  const workflow = files.yaml.get(name);
  if (workflow === undefined) {
    const known = [...files.markdown.keys(), ...files.yaml.keys()].sort();
    throw new UsageError(`no workflow named ${name} (workflows: ${known.join(', ') || 'none'})`);
  }
  if (!workflow.trigger.some((t) => t.kind === 'manual'))
    throw new UsageError(
      `workflow ${name} is not run by hand: it runs on ${workflow.trigger.map((t) => t.kind).join(' and ')}`,
    );
  const inputs = typedInputs(workflow, given);
  if (!inputs.ok) throw new UsageError(`workflow ${name}: ${inputs.error}`);
  const cluster = new Clusters(config.clusters).get(clusterName);
  const kube = { cluster, namespaces: ['*'] };
  const proposals = new MemoryProposals();
  const base = await buildEngine(config, createLogger('silent'));
  // The terminal may propose up to confirm, as `ask` does; nothing it proposes is applied.
  const agent =
    base.client === undefined
      ? offlineAgent({
          kube,
          proposals,
          autonomy: config.autonomy,
          maxTier: 'confirm',
          log: base.log,
          monitoring: base.monitoring,
          git: base.git,
        })
      : modelAgent({
          ...base,
          client: base.client,
          kube,
          checkpoints: new MemoryCheckpoints(),
          proposals,
          maxTier: 'confirm',
        });
  const view = await runInProcess(
    workflow,
    inputs.inputs,
    { requester: 'cli', cluster: cluster.name, namespaces: ['*'], maxTier: 'confirm' },
    {
      kube,
      git: base.git,
      autonomy: config.autonomy,
      agent,
      proposals,
      print: (text) => process.stdout.write(`${text}\n`),
    },
  );
  return view?.state === 'succeeded' ? 0 : 1;
}
