import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkflowFiles, loadWorkflowFiles } from './load-files.ts';
import { WORKFLOWS_DIR } from './markdown.ts';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const TASK = 'Check the cluster and report anything unusual.';

describe('loading a folder of workflows', () => {
  it('loads the good files of both kinds and leaves out a bad one with its problems', () => {
    const dir = folder({
      'README.md': '# not a workflow',
      'a/check.md': TASK,
      'b/nightly.yaml': 'trigger:\n  schedule: "0 3 * * *"\nsteps:\n  - action: report\n',
      'c/broken.yml': 'name: broken\nsteps:\n  - action: report\n    needs: [nope]\n',
    });

    const loaded = loadWorkflowFiles(dir);

    expect([...loaded.markdown.keys()]).toEqual(['check']);
    expect([...loaded.yaml.keys()]).toEqual(['nightly']);
    expect(loaded.problems).toEqual([
      `${join(dir, 'c/broken.yml')}:4: steps[0].needs[0]: no step named nope`,
    ]);
  });

  it('leaves out a file of aliases that expand without end, and loads the others', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f', 'g'].map(
          (key, i) => `${key}: &${key} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    const dir = folder({
      'a/check.md': TASK,
      'b/laughs.yaml': `${laughs}\nsteps:\n  - action: report\n`,
    });

    const loaded = loadWorkflowFiles(dir);

    expect([...loaded.markdown.keys()]).toEqual(['check']);
    expect(loaded.problems).toEqual([
      `${join(dir, 'b/laughs.yaml')}:1: (syntax): Excessive alias count indicates a resource exhaustion attack`,
    ]);
  });

  it('keeps names unique across Markdown and YAML workflows', () => {
    const dir = folder({
      'check.md': TASK,
      'z/other.yaml': 'name: check\nsteps:\n  - action: report\n',
    });

    const loaded = loadWorkflowFiles(dir);

    expect(loaded.yaml.size).toBe(0);
    expect(loaded.problems).toEqual([
      `${join(dir, 'z/other.yaml')}:1: name: a workflow named check is already in ${join(dir, 'check.md')}`,
    ]);
  });

  it('gives the problems of Markdown workflows their lines too', () => {
    const dir = folder({
      'a.md': TASK,
      'b/bad.md': `---\ndescription: fine\nmodel: opus\n---\n${TASK}`,
      'c/empty.md': '---\nname: empty\n---\n',
      'd/again.md': `---\ndescription: the same\nname: a\n---\n${TASK}`,
    });

    const loaded = loadWorkflowFiles(dir);

    expect([...loaded.markdown.keys()]).toEqual(['a']);
    expect(loaded.problems).toEqual([
      `${join(dir, 'b/bad.md')}:3: Unrecognized key: "model"`,
      `${join(dir, 'c/empty.md')}:4: the task after the front matter is missing`,
      `${join(dir, 'd/again.md')}:3: name: a workflow named a is already in ${join(dir, 'a.md')}`,
    ]);
  });

  it('says which given files cannot be read or are of no workflow kind', () => {
    const dir = folder({ 'notes.txt': TASK });

    const checked = checkWorkflowFiles([join(dir, 'notes.txt'), join(dir, 'gone.yaml')]);

    expect(checked.problems).toEqual([
      `${join(dir, 'notes.txt')}: is not a .yaml, .yml or .md file`,
      expect.stringMatching(/gone\.yaml: cannot be read \(ENOENT/),
    ]);
  });

  it('loads the shipped folder without a problem', () => {
    const loaded = loadWorkflowFiles(WORKFLOWS_DIR);

    expect(loaded.problems).toEqual([]);
    expect(loaded.markdown.has('deploy-app')).toBe(true);
  });
});

describe('files that are no workflow at all', () => {
  it('refuses a device and a file too large to be one, without reading them, and reads a file named twice once', () => {
    const dir = folder({
      'big.yaml': `name: big\nsteps:\n${'  - agent: k8s-diagnostician\n    task: hello there\n'.repeat(6_000)}`,
      'ok.md': TASK,
    });
    const ok = join(dir, 'ok.md');

    const checked = checkWorkflowFiles(['/dev/zero', join(dir, 'big.yaml'), ok, `${dir}/./ok.md`]);

    expect(checked.problems).toEqual([
      '/dev/zero: is not a regular file',
      `${join(dir, 'big.yaml')}: is larger than 256 KiB`,
    ]);
    expect([...checked.markdown.keys()]).toEqual(['ok']);
  });
});
