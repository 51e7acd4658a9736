import { CoxswainError } from '../errors.ts';
import { UsageError } from './args.ts';

const USAGE = `Usage: coxswain <command>

Commands:
  bot      chat connections, the HTTP server (webhook, console, health, metrics) and the outbox
  worker   runs jobs from the queues; serves health and metrics on WORKER_PORT
  all      bot and worker in one process
  demo     everything in one process on port 8080, with its own Redis unless REDIS_URL is set
  sandbox  a simulated Kubernetes cluster for kubectl and the bot (coxswain sandbox --help)
  status   the health of the current cluster: nodes, namespaces with problems, counts
  diagnose [KIND/NAME] [-n NS] [--cluster NAME]: findings, evidence and proposed fixes
  rollback APP -n NS: the deployment's roll back to its previous revision, as a dry-run diff
  deploy   APP: runs the deploy-app workflow
  workflow list: the workflows (WORKFLOWS_DIR): name, trigger, description, file
  workflow run NAME [key=value…]: runs a workflow here (a change it reaches is shown, not made)
  workflow check FILE…: checks workflow files; every problem as FILE:LINE: field: message
  ask      "QUESTION": the agents' answer about the current cluster (offline: the analyzers')
  suspend  [--reason TEXT]: stops every write at once (approvals refused, actions wait)
  resume   lets writes go on again
  audit export [--since DAY] [--until DAY]: the audit trail as JSON lines
  rbac     [--config FILE]: the Roles of the identity writes go as (writeAs), from the bindings

Configuration comes from the environment (and .env); see .env.example.
`;

/** A command that returns a number exits with it; one that returns nothing, with 0. */
type Command = (args: readonly string[]) => Promise<unknown>;

/** Commands that take no arguments. */
const noArgs =
  (run: () => Promise<void>): Command =>
  async (args) => {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
    await run();
  };

// Each command loads its own modules when it runs, so that `coxswain sandbox` or `coxswain rbac`
// does not load the bot, the worker and every chat library first.
const COMMANDS: Record<string, Command> = {
  bot: noArgs(async () => (await import('./serve.ts')).serve('bot')),
  worker: noArgs(async () => (await import('./serve.ts')).serve('worker')),
  all: noArgs(async () => (await import('./serve.ts')).serve('all')),
  demo: noArgs(async () => (await import('./demo.ts')).demo()),
  sandbox: async (args) => (await import('./sandbox.ts')).sandbox(args),
  status: clusterCommand('status'),
  diagnose: clusterCommand('diagnose'),
  rollback: clusterCommand('rollback'),
  deploy: clusterCommand('deploy'),
  workflow: async (args) => {
    if (args[0] === 'check')
      return (await import('./workflow-check.ts')).workflowCheck(args.slice(1));
    const { workflowList, workflowRun } = await import('./workflow-commands.ts');
    if (args[0] === 'list') return workflowList(args.slice(1));
    return workflowRun(args[0] === 'run' ? args.slice(1) : args);
  },
  ask: async (args) => (await import('./ask.ts')).ask(args),
  suspend: async (args) => (await import('./suspend-commands.ts')).suspend(args),
  resume: async (args) => (await import('./suspend-commands.ts')).resume(args),
  rbac: async (args) => (await import('./rbac-command.ts')).rbac(args),
  audit: async (args) => (await import('./audit-commands.ts')).audit(args),
};

function clusterCommand(name: 'status' | 'diagnose' | 'rollback' | 'deploy'): Command {
  return async (args) => (await import('./cluster-commands.ts')).clusterCommand(name)(args);
}

const clusterUsage = async () => (await import('../commands/help.ts')).CLUSTER_USAGE;
const suspendUsage = async () => (await import('./suspend-commands.ts')).SUSPEND_USAGE;

/** Each command's own usage, loaded when it is asked for or a command is misused. */
const HELP: Record<string, () => Promise<string>> = {
  sandbox: async () => (await import('./sandbox.ts')).SANDBOX_USAGE,
  status: clusterUsage,
  diagnose: clusterUsage,
  rollback: clusterUsage,
  deploy: clusterUsage,
  workflow: clusterUsage,
  ask: async () => (await import('./ask.ts')).ASK_USAGE,
  suspend: suspendUsage,
  resume: suspendUsage,
  rbac: async () => (await import('./rbac-command.ts')).RBAC_USAGE,
  audit: async () => (await import('./audit-commands.ts')).AUDIT_USAGE,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    process.stderr.write(`coxswain: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const help = HELP[command];
  if (help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(await help());
    return 0;
  }
  try {
    const code = await run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `coxswain: ${error.message.replace(/^coxswain /, '')}\n\n${help === undefined ? USAGE : await help()}`,
      );
      return 2;
    }
    process.stderr.write(`coxswain: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof CoxswainError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `${(error as Error).message}: the port is taken; set PORT (or WORKER_PORT) to another`;
  if (code === 'EACCES') return `${(error as Error).message}: not allowed to listen there`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
