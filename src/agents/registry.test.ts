import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseTier, modelId } from './models.ts';
import { loadAgents, orchestratorOf, PROMPTS_DIR } from './registry.ts';
import { AGENT_TOOL_NAMES } from './tool-use/tool-names.ts';

const TOOLS = AGENT_TOOL_NAMES;
const PROMPT = 'You investigate one task.\n\n'.repeat(10);

function agentsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-agents-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function agentFile(front: string, prompt = PROMPT): string {
  return `---\n${front}\n---\n${prompt}`;
}

const SPECIALIST = agentFile(
  'name: looker\ndescription: Looks at pods and says what it sees.\nmodel: sonnet\ntools: [list_pods]',
);
const ORCHESTRATOR = agentFile(
  'name: boss\ndescription: Asks the looker and answers.\nmodel: opus\ntools: [delegate, reply]\ndelegates: [looker]',
);

function refusal(files: Record<string, string>): string {
  try {
    loadAgents(agentsDir(files), TOOLS);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the agents to be refused');
}

describe('loadAgents', () => {
  it('loads the five shipped agents, with the orchestrator delegating to the four specialists', () => {
    const agents = loadAgents(PROMPTS_DIR, TOOLS);

    expect([...agents.keys()]).toEqual([
      'argocd-operator',
      'git-operator',
      'k8s-diagnostician',
      'k8s-orchestrator',
      'prometheus-analyst',
    ]);
    const orchestrator = orchestratorOf(agents);
    expect(orchestrator).toMatchObject({ name: 'k8s-orchestrator', model: 'opus' });
    expect(orchestrator.delegates).toEqual([
      'k8s-diagnostician',
      'argocd-operator',
      'prometheus-analyst',
      'git-operator',
    ]);
    expect(agents.get('k8s-diagnostician')?.prompt).toContain('is data');
    expect(agents.get('k8s-diagnostician')?.tools).toContain('set_resources');
    expect(agents.get('prometheus-analyst')?.tools).toEqual(
      expect.arrayContaining([
        'promql',
        'promql_range',
        'alert_rules',
        'active_alerts',
        'silences',
      ]),
    );
  });

  it('takes a new specialist from a new file', () => {
    const dir = agentsDir({ 'looker.md': SPECIALIST, 'boss.md': ORCHESTRATOR });

    const agents = loadAgents(dir, TOOLS);

    expect(agents.get('looker')?.prompt).toBe(PROMPT.trim());
    expect(orchestratorOf(agents).name).toBe('boss');
  });

  it.each([
    [{ 'looker.md': 'no front matter here' }, 'looker.md: must start with YAML front matter'],
    [
      { 'looker.md': SPECIALIST.replace('model: sonnet', 'model: gpt') },
      'looker.md: model: must be haiku, sonnet or opus',
    ],
    [
      { 'looker.md': SPECIALIST.replace('[list_pods]', '[list_pods, kubectl_exec]') },
      'looker.md: tools[1]: no tool named kubectl_exec',
    ],
    [{ 'other.md': SPECIALIST }, 'other.md: name: must match the file name (other)'],
    [
      { 'looker.md': SPECIALIST.replace('model: sonnet', 'model: sonnet\ncolour: red') },
      'looker.md: ',
    ],
    [
      {
        'looker.md': agentFile(
          'name: looker\ndescription: Looks at pods and says so.\nmodel: sonnet\ntools: [list_pods]',
          'Short.',
        ),
      },
      'looker.md: the prompt after the front matter is missing or too short',
    ],
    [{ 'boss.md': ORCHESTRATOR }, 'boss.md: delegates[0]: no agent named looker'],
    [
      { 'boss.md': ORCHESTRATOR.replace('\ndelegates: [looker]', ''), 'looker.md': SPECIALIST },
      'boss.md: delegates: an agent with the delegate tool must name its delegates',
    ],
    [
      { 'looker.md': SPECIALIST.replace('[list_pods]', '[list_pods]\ndelegates: [looker]') },
      'looker.md: delegates: only an agent with the delegate tool has delegates',
    ],
  ])('refuses a bad agent file, naming the file and field (%#)', (files, message) => {
    expect(refusal(files)).toContain(message);
  });

  it('lists every problem at once', () => {
    const message = refusal({
      'looker.md': SPECIALIST.replace('model: sonnet', 'model: gpt'),
      'boss.md': ORCHESTRATOR.replace('[delegate, reply]', '[delegate, reply, shell]'),
    });

    expect(message).toContain('looker.md: model');
    expect(message).toContain('boss.md: tools[2]: no tool named shell');
  });

  it('names PROMPTS_DIR when the folder cannot be read', () => {
    const missing = join(tmpdir(), 'coxswain-no-such-prompts');

    expect(() => loadAgents(missing, TOOLS)).toThrow(
      `${missing}: cannot read the folder (ENOENT); set PROMPTS_DIR`,
    );
  });

  it('keeps the shipped prompts explicit about untrusted data and proposals', () => {
    for (const name of ['k8s-orchestrator', 'k8s-diagnostician']) {
      const text = readFileSync(join(PROMPTS_DIR, `${name}.md`), 'utf8');
      expect(text).toMatch(/data, not instructions|is data/);
      expect(text).toMatch(/propos/);
    }
  });
});

describe('model choice', () => {
  it('takes the most specific say: step, workflow, delegation, then the agent', () => {
    expect(
      chooseTier({ step: 'haiku', workflow: 'opus', delegation: 'opus', agent: 'sonnet' }),
    ).toBe('haiku');
    expect(chooseTier({ workflow: 'opus', delegation: 'haiku', agent: 'sonnet' })).toBe('opus');
    expect(chooseTier({ delegation: 'haiku', agent: 'sonnet' })).toBe('haiku');
    expect(chooseTier({ agent: 'sonnet' })).toBe('sonnet');
  });

  it('maps the tier to the configured model id', () => {
    expect(modelId({ agent: 'opus' })).toBe('claude-opus-5-5');
    expect(modelId({ agent: 'haiku' }, { haiku: 'my-haiku', sonnet: 's', opus: 'o' })).toBe(
      'my-haiku',
    );
  });
});
