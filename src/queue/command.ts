import { z } from 'zod';

/**
 * The skills people type, with one syntax everywhere (web console, chat, CLI):
 * `help`, `status [--cluster NAME]`, `diagnose [KIND/NAME] [-n NS] [--cluster NAME]`.
 * Parsed once at the edge into a `Command`, which is what travels in job data.
 */
const Name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
const NamespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const ClusterName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);

export const DiagnoseTarget = z.object({
  kind: z.enum(['Pod', 'Deployment', 'Node']),
  name: Name,
});
export type DiagnoseTarget = z.infer<typeof DiagnoseTarget>;

export const Command = z.discriminatedUnion('name', [
  z.object({ name: z.literal('help') }),
  z.object({ name: z.literal('status'), cluster: ClusterName.optional() }),
  z.object({
    name: z.literal('diagnose'),
    cluster: ClusterName.optional(),
    namespace: NamespaceName.optional(),
    target: DiagnoseTarget.optional(),
  }),
]);
export type Command = z.infer<typeof Command>;

export const COMMAND_NAMES = ['help', 'status', 'diagnose'] as const;

export const COMMAND_HELP = [
  'help — what I can do here',
  'status [--cluster NAME] — nodes, namespaces with problems, counts',
  'diagnose [KIND/NAME] [-n NAMESPACE] [--cluster NAME] — findings with evidence and proposed fixes; KIND is pod, deployment or node',
].join('\n');

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

export type Parsed = { ok: true; command: Command } | { ok: false; error: string };

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

/** Parses a command from its words, as the CLI receives them. */
export function parseCommand(words: readonly string[]): Parsed {
  const [name, ...rest] = words;
  const fail = (error: string): Parsed => ({ ok: false, error });
  if (name === 'help')
    return rest.length === 0
      ? { ok: true, command: { name: 'help' } }
      : fail('help takes no arguments');
  if (name !== 'status' && name !== 'diagnose')
    return fail(`unknown command "${name ?? ''}"; try help`);
  const flags: { cluster?: string; namespace?: string } = {};
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    const [flag, inline] =
      word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/, 2) : [word, undefined];
    if (flag === '--cluster' || flag === '-n' || flag === '--namespace') {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') return fail(`${flag} needs a value`);
      if (flag === '--cluster') {
        if (!ClusterName.safeParse(value).success) return fail(`"${value}" is not a cluster name`);
        flags.cluster = value;
      } else if (name === 'status') return fail('status covers every namespace; it takes no -n');
      else flags.namespace = value;
    } else if (word.startsWith('-')) {
      return fail(`unknown option ${word}`);
    } else {
      positionals.push(word);
    }
  }
  if (name === 'status') {
    if (positionals.length > 0) return fail(`status takes no arguments (got "${positionals[0]}")`);
    return { ok: true, command: { name: 'status', ...flags } };
  }
  if (positionals.length > 1)
    return fail(`diagnose takes one KIND/NAME (got "${positionals.join(' ')}")`);
  const command: Command = { name: 'diagnose', ...flags };
  if (flags.namespace !== undefined && !NamespaceName.safeParse(flags.namespace).success)
    return fail(`"${flags.namespace}" is not a namespace name`);
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
