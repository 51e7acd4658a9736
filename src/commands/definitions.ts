import type { CommandName } from '../queue/command-data.ts';

/**
 * What each command is called and how it is described on every surface: chat's `help`, the
 * terminal's usage, and Discord's `/coxswain` subcommand with its options. The grammar that reads
 * the words is `grammar.ts`; the skill that answers is the command's own file.
 */
type SlashOptionDefinition = {
  name: string;
  description: string;
  required?: boolean;
  /** The flag the option becomes in the typed syntax (`-n`); absent: a positional word. */
  flag?: string;
};

type CommandDefinition = {
  /** One line in chat's `help`. */
  synopsis: string;
  /** The terminal's usage line (after `coxswain `) and what it does; absent: not a CLI command. */
  cli?: { usage: string; about: string };
  /** Discord's subcommand: its description and options, in the order they are typed. */
  slash: { description: string; options: readonly SlashOptionDefinition[] };
};

const cluster: SlashOptionDefinition = {
  name: 'cluster',
  description: 'Cluster name (default: the channel’s first)',
  flag: '--cluster',
};
const namespace: SlashOptionDefinition = {
  name: 'namespace',
  description: 'Namespace',
  flag: '-n',
};

export const COMMAND_DEFINITIONS: Readonly<Record<CommandName, CommandDefinition>> = {
  help: {
    synopsis: 'help — what I can do here',
    slash: { description: 'What Coxswain can do here', options: [] },
  },
  status: {
    synopsis: 'status [--cluster NAME] — nodes, namespaces with problems, counts',
    cli: { usage: 'status [--cluster NAME]', about: 'nodes, namespaces with problems, counts' },
    slash: { description: 'Nodes, namespaces with problems, counts', options: [cluster] },
  },
  diagnose: {
    synopsis:
      'diagnose [KIND/NAME] [-n NAMESPACE] [--cluster NAME] — findings with evidence and proposed fixes; KIND is pod, deployment or node',
    cli: {
      usage: 'diagnose [KIND/NAME] [-n NAMESPACE] [--cluster NAME]',
      about: `findings with evidence, and the fixes a rule proposes with the API server's dry-run
          diff (nothing is changed); KIND is pod, deployment or node; without -n, every namespace`,
    },
    slash: {
      description: 'Findings with evidence and proposed fixes',
      options: [
        { name: 'target', description: 'KIND/NAME, e.g. deployment/checkout' },
        namespace,
        cluster,
      ],
    },
  },
  deploy: {
    synopsis:
      'deploy APP [-n NAMESPACE] [--cluster NAME] — deploy or update an app (the deploy-app workflow)',
    cli: {
      usage: 'deploy APP [-n NAMESPACE] [--cluster NAME]',
      about: 'runs the deploy-app workflow for APP',
    },
    slash: {
      description: 'Deploy or update an app',
      options: [{ name: 'app', description: 'The app', required: true }, namespace, cluster],
    },
  },
  rollback: {
    synopsis:
      'rollback APP [-n NAMESPACE] [--cluster NAME] — propose rolling the deployment back to its previous revision, with the dry-run diff',
    cli: {
      usage: 'rollback APP -n NAMESPACE [--cluster NAME]',
      about: `the deployment's roll back to its previous revision, as a dry-run diff (nothing is
          changed)`,
    },
    slash: {
      description: 'Propose rolling a deployment back to its previous revision',
      options: [{ name: 'app', description: 'The deployment', required: true }, namespace, cluster],
    },
  },
  workflow: {
    synopsis: 'workflow NAME [key=value…] [--cluster NAME] — run a workflow from workflows/',
    cli: {
      usage: 'workflow [run] NAME [key=value…] [--cluster NAME]',
      about: `runs a workflow here: YAML steps (a change it reaches is shown, not made), or a
          Markdown task for the agents (offline: the analyzers)`,
    },
    slash: {
      description: 'Run a workflow',
      options: [
        { name: 'name', description: 'The workflow', required: true },
        { name: 'inputs', description: 'key=value pairs, separated by spaces' },
        cluster,
      ],
    },
  },
};
