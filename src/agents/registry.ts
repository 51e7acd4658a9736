import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CoxswainError } from '../errors.ts';
import { formatIssues } from '../shared/format-issues.ts';
import { splitFrontMatter } from '../shared/front-matter.ts';
import { MODEL_TIERS } from './models.ts';

/**
 * The agents, read from `prompts/*.md`: YAML front matter (`name`, `description`, `model`,
 * `tools`, and for the orchestrator `delegates`) and the system prompt after it. Checked once at
 * start; every problem is reported by file and field, and stops the process.
 */
const AgentFrontMatter = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be a lower-case name such as k8s-diagnostician'),
  description: z.string().min(10, 'must say in a sentence what the agent does').max(300),
  model: z.enum(MODEL_TIERS, { error: 'must be haiku, sonnet or opus' }),
  tools: z.array(z.string()).min(1, 'must list at least one tool'),
  delegates: z.array(z.string()).optional(),
});

export type Agent = z.infer<typeof AgentFrontMatter> & { prompt: string; file: string };
export type AgentRegistry = ReadonlyMap<string, Agent>;

/** Tools only an orchestrator has: asking specialists, and answering. */
const ORCHESTRATOR_TOOLS = ['delegate', 'reply'] as const;

export const PROMPTS_DIR = new URL('../../prompts/', import.meta.url).pathname;

export function loadAgents(dir: string, knownTools: readonly string[]): AgentRegistry {
  const problems: string[] = [];
  const agents = new Map<string, Agent>();
  const files = agentFiles(dir);
  for (const file of files) {
    const path = join(dir, file);
    const agent = readAgent(path, problems);
    if (agent === undefined) continue;
    if (`${agent.name}.md` !== file)
      problems.push(`${path}: name: must match the file name (${file.slice(0, -3)})`);
    const allowed = new Set([...knownTools, ...ORCHESTRATOR_TOOLS]);
    agent.tools.forEach((tool, i) => {
      if (!allowed.has(tool)) problems.push(`${path}: tools[${i}]: no tool named ${tool}`);
    });
    if (agent.delegates !== undefined && !agent.tools.includes('delegate')) {
      problems.push(`${path}: delegates: only an agent with the delegate tool has delegates`);
    }
    if (agent.tools.includes('delegate') && (agent.delegates ?? []).length === 0) {
      problems.push(`${path}: delegates: an agent with the delegate tool must name its delegates`);
    }
    agents.set(agent.name, agent);
  }
  for (const agent of agents.values()) {
    (agent.delegates ?? []).forEach((name, i) => {
      const delegate = agents.get(name);
      if (delegate === undefined)
        problems.push(`${agent.file}: delegates[${i}]: no agent named ${name}`);
      else if (delegate.tools.includes('delegate'))
        problems.push(`${agent.file}: delegates[${i}]: ${name} delegates too; specialists may not`);
    });
  }
  if (files.length === 0) problems.push(`${dir}: no agent files (*.md)`);
  if (problems.length > 0) {
    throw new CoxswainError('config_invalid', `invalid agents:\n  ${problems.join('\n  ')}`);
  }
  return agents;
}

/** The `*.md` files of the folder (PROMPTS_DIR), or a config error naming it when it cannot be read. */
function agentFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .sort();
  } catch (error) {
    throw new CoxswainError(
      'config_invalid',
      `invalid agents:\n  ${dir}: cannot read the folder (${(error as NodeJS.ErrnoException).code ?? 'error'}); set PROMPTS_DIR to the folder of the agents' prompt files`,
      { cause: error },
    );
  }
}

function readAgent(path: string, problems: string[]): Agent | undefined {
  const split = splitFrontMatter(readFileSync(path, 'utf8'), true);
  if (!split.ok) {
    problems.push(`${path}: ${split.error}`);
    return undefined;
  }
  const parsed = AgentFrontMatter.safeParse(split.front);
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, path));
    return undefined;
  }
  const prompt = split.body.trim();
  if (prompt.length < 100) {
    problems.push(
      `${path}: the prompt after the front matter is missing or too short to guide an agent`,
    );
    return undefined;
  }
  return { ...parsed.data, prompt, file: path };
}

/** The one agent that delegates: the orchestrator. */
export function orchestratorOf(agents: AgentRegistry): Agent {
  const found = [...agents.values()].filter((a) => a.tools.includes('delegate'));
  if (found.length !== 1) {
    throw new CoxswainError(
      'config_invalid',
      `invalid agents: exactly one agent must have the delegate tool (found ${found.length})`,
    );
  }
  return found[0] as Agent;
}
