import {
  ClusterName,
  type Command,
  type CommandName,
  type DiagnoseTarget,
  InputKey,
  InputValue,
  MAX_WORKFLOW_INPUTS,
  Name,
  NamespaceName,
  WorkflowName,
} from '../queue/command-data.ts';

/**
 * The skills people type, with one syntax everywhere (Slack, Discord, the web console, the CLI):
 * `help`, `status`, `diagnose [KIND/NAME] [-n NS]`, `deploy <app>`, `rollback <app>`,
 * `workflow <name> [key=value…]`, each with an optional `--cluster NAME`. Parsed once at the
 * edge into a `Command` (`queue/command-data.ts`), which is what travels in job data.
 */
export const COMMAND_NAMES = [
  'help',
  'status',
  'diagnose',
  'deploy',
  'rollback',
  'workflow',
] as const satisfies readonly CommandName[];

const KINDS: Record<string, DiagnoseTarget['kind']> = {
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  node: 'Node',
  nodes: 'Node',
  no: 'Node',
};

type Parsed = { ok: true; command: Command } | { ok: false; error: string };

/**
 * Reads a chat message as a command when it starts with one (after an optional `/coxswain` or
 * `@coxswain`); `undefined` when it is not a command at all, so it can be taken as a question.
 */
export function parseCommandText(text: string): Parsed | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (/^[/@]coxswain$/i.test(words[0] ?? '')) words.shift();
  const first = words[0]?.toLowerCase();
  if (first === undefined || !(COMMAND_NAMES as readonly string[]).includes(first))
    return undefined;
  return parseCommand([first, ...words.slice(1)]);
}

type Flags = { cluster?: string; namespace?: string };
const fail = (error: string): Parsed => ({ ok: false, error });

/** Parses a command from its words, as the CLI receives them. */
export function parseCommand(words: readonly string[]): Parsed {
  const [name, ...rest] = words;
  if (name === 'help')
    return rest.length === 0
      ? { ok: true, command: { name: 'help' } }
      : fail('help takes no arguments');
  if (!(COMMAND_NAMES as readonly string[]).includes(name ?? ''))
    return fail(`unknown command "${name ?? ''}"; try help`);
  const command = name as Exclude<CommandName, 'help'>;
  const read = readFlags(command, rest);
  if (typeof read === 'string') return fail(read);
  const { flags, positionals } = read;
  switch (command) {
    case 'status':
      if (positionals.length > 0)
        return fail(`status takes no arguments (got "${positionals[0]}")`);
      return { ok: true, command: { name: 'status', ...flags } };
    case 'diagnose':
      return parseDiagnose(flags, positionals);
    case 'deploy':
    case 'rollback': {
      const [app, ...extra] = positionals;
      if (app === undefined) return fail(`${command} needs the app's name: ${command} APP`);
      if (extra.length > 0)
        return fail(`${command} takes one app (got "${positionals.join(' ')}")`);
      if (!Name.safeParse(app).success) return fail(`"${app}" is not an app name`);
      return { ok: true, command: { name: command, app, ...flags } };
    }
    case 'workflow':
      return parseWorkflow(flags, positionals);
  }
}

function readFlags(
  command: Exclude<CommandName, 'help'>,
  rest: readonly string[],
): { flags: Flags; positionals: string[] } | string {
  const flags: Flags = {};
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    const [flag, inline] =
      word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/, 2) : [word, undefined];
    if (flag === '--cluster' || flag === '-n' || flag === '--namespace') {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') return `${flag} needs a value`;
      if (flag === '--cluster') {
        if (!ClusterName.safeParse(value).success) return `"${value}" is not a cluster name`;
        flags.cluster = value;
      } else if (command === 'status') return 'status covers every namespace; it takes no -n';
      else if (command === 'workflow')
        return 'workflow takes its namespace as an input: namespace=NS';
      else if (!NamespaceName.safeParse(value).success) return `"${value}" is not a namespace name`;
      else flags.namespace = value;
    } else if (word.startsWith('-')) {
      return `unknown option ${word}`;
    } else {
      positionals.push(word);
    }
  }
  return { flags, positionals };
}

function parseDiagnose(flags: Flags, positionals: readonly string[]): Parsed {
  if (positionals.length > 1)
    return fail(`diagnose takes one KIND/NAME (got "${positionals.join(' ')}")`);
  const command: Command = { name: 'diagnose', ...flags };
  const spec = positionals[0];
  if (spec !== undefined) {
    const [kindWord = '', targetName, extra] = spec.split('/');
    if (extra !== undefined)
      return fail(`"${spec}" is not KIND/NAME with KIND pod, deployment or node`);
    const kind = KINDS[kindWord.toLowerCase()];
    if (kind === undefined || targetName === undefined)
      return fail(`"${spec}" is not KIND/NAME with KIND pod, deployment or node`);
    if (!Name.safeParse(targetName).success) return fail(`"${targetName}" is not an object name`);
    command.target = { kind, name: targetName };
  }
  return { ok: true, command };
}

function parseWorkflow(flags: Flags, positionals: readonly string[]): Parsed {
  const [workflow, ...pairs] = positionals;
  if (workflow === undefined) return fail('workflow needs a name: workflow NAME [key=value…]');
  if (!WorkflowName.safeParse(workflow).success)
    return fail(`"${workflow}" is not a workflow name`);
  if (pairs.length > MAX_WORKFLOW_INPUTS)
    return fail(`a workflow takes at most ${MAX_WORKFLOW_INPUTS} inputs`);
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !InputKey.safeParse(key).success)
      return fail(`"${pair}" is not key=value (keys are letters, digits and _)`);
    const value = pair.slice(at + 1);
    if (!InputValue.safeParse(value).success) return fail(`the value of ${key} is too long`);
    inputs[key] = value;
  }
  return { ok: true, command: { name: 'workflow', workflow, inputs, ...flags } };
}
