import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aliasBomb,
  deepArray,
  deepObject,
  HUGE,
  hostileCases,
  prototypePolluted,
  SAMPLE_VALUES,
  SMALL_VALUES,
} from '../../test/support/hostile-values.ts';
import { DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { checkWorkflowFiles } from './load-files.ts';
import { readYamlWorkflow } from './yaml-load.ts';

/**
 * Workflow files with hostile values in every field, and hostile as a whole: each loads, or is
 * left out with problems that each name the file and a line. Never a throw, never a hang.
 */
const ROLLBACK = {
  name: 'rollback-app',
  trigger: { manual: true },
  inputs: { app: { type: 'string', required: true } },
  steps: [
    {
      name: 'rollback',
      condition: 'inputs.app != ""',
      action: 'rollback',
      confirm: true,
      inputs: { namespace: 'payments', name: '{{ inputs.app }}' },
    },
  ],
};

const DEPLOY = { name: 'deploy-app', description: 'Deploy an app', inputs: ['app'] };
const TASK = 'Deploy or update the app named in the inputs, then report whether it runs.';

const dir = mkdtempSync(join(tmpdir(), 'coxswain-hostile-workflows-'));
let written = 0;

function fileWith(text: string, extension: 'yaml' | 'md'): string {
  const path = join(dir, `workflow-${written++}.${extension}`);
  writeFileSync(path, text);
  return path;
}

/** Problems, each of which must say `FILE:` first; none when the file loads. */
function problemsOf(files: readonly string[]): string[] {
  const loaded = checkWorkflowFiles(files, DEFAULT_AUTONOMY);
  for (const problem of loaded.problems)
    expect(files.some((f) => problem.startsWith(`${f}:`))).toBe(true);
  return loaded.problems;
}

const WHOLE_YAML: Record<string, string> = {
  'aliases that expand a billion times': aliasBomb('steps'),
  'a 1 MiB file': `name: big\n# ${'x'.repeat(1024 * 1024)}\nsteps: [{action: report}]\n`,
  '10,000-deep flow sequences': `name: deep\nsteps: ${deepArray(10_000)}`,
  '10,000-deep flow mappings': `name: deep\nsteps: ${deepObject(10_000)}`,
  '3,000-deep block mappings': Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i)}a:`).join(
    '\n',
  ),
  'a 100,000-step list': `name: many\nsteps: [${Array(100_000).fill('{action: report}').join(',')}]`,
  'a list at the top': '- name\n- steps\n',
  'an unknown tag': 'name: tagged\nsteps: !!js/function "return 1"\n',
  'a merge key of __proto__':
    'base: &b {polluted: yes}\n__proto__: *b\nsteps: [{action: report}]\n',
  'binary garbage': '\u0000\u0001\u00ff\ufffe\ud800'.repeat(100),
  'a template that never closes': `name: open\nsteps: [{action: report, inputs: {a: "${'{{'.repeat(10_000)}"}}]\n`,
  'a condition nested 5,000 deep': `name: nested\nsteps: [{action: report, condition: "${'('.repeat(5_000)}1${')'.repeat(5_000)}"}]\n`,
};

const WHOLE_MARKDOWN: Record<string, string> = {
  'front matter of aliases that expand a billion times': `---\n${aliasBomb('steps')}\n---\n${TASK}`,
  '10,000-deep front matter': `---\ninputs: ${deepArray(10_000)}\n---\n${TASK}`,
  'no task': '---\nname: empty\n---\n',
  'a 300 KiB task': `---\nname: long\n---\n${'x'.repeat(300 * 1024)}`,
};

describe('a hostile YAML workflow', () => {
  const cases = [
    ...hostileCases(ROLLBACK, { values: SAMPLE_VALUES }),
    ...hostileCases(
      { name: 'x', steps: [{ action: 'report' }] },
      { values: HUGE, keys: [] },
    ).filter((c) => c.name.startsWith('steps[0].action ←')),
  ];

  it(`loads or says where each of ${cases.length} hostile field values is wrong`, () => {
    let refused = 0;
    for (const hostile of cases) {
      const read = readYamlWorkflow(hostile.json, 'w.yaml', DEFAULT_AUTONOMY);

      if (!read.ok) {
        refused++;
        expect(read.problems.length, hostile.name).toBeGreaterThan(0);
        for (const problem of read.problems)
          expect(problem, hostile.name).toMatch(/^w\.yaml:\d+: /);
      }
      expect(prototypePolluted(), hostile.name).toBe(false);
    }

    expect(readYamlWorkflow(JSON.stringify(ROLLBACK), 'w.yaml', DEFAULT_AUTONOMY).ok).toBe(true);
    expect(refused).toBeGreaterThan(cases.length / 2);
  });

  it.each(Object.entries(WHOLE_YAML))('leaves out %s, naming the file', (_name, text) => {
    const file = fileWith(text, 'yaml');

    expect(problemsOf([file]).length).toBeGreaterThan(0);
    expect(prototypePolluted()).toBe(false);
  });
});

describe('a hostile Markdown workflow', () => {
  const cases = hostileCases(DEPLOY, { values: SMALL_VALUES });

  it(`loads or says where each of ${cases.length} hostile front-matter values is wrong`, () => {
    const files = cases.map((c) => fileWith(`---\n${c.json}\n---\n${TASK}\n`, 'md'));

    const problems = problemsOf(files);

    expect(problems.length).toBeGreaterThan(cases.length / 2);
    expect(prototypePolluted()).toBe(false);
  });

  it.each(Object.entries(WHOLE_MARKDOWN))('leaves out %s, naming the file', (_name, text) => {
    const file = fileWith(text, 'md');

    expect(problemsOf([file]).length).toBeGreaterThan(0);
    expect(prototypePolluted()).toBe(false);
  });
});
