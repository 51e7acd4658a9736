import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles } from './list-files.ts';
import { loadWorkflowFiles } from './load-files.ts';

const TASK = 'Check the cluster and report anything unusual.';
const NIGHTLY = 'trigger:\n  schedule: "0 3 * * *"\nsteps:\n  - action: report\n';

/** The layout the kubelet gives a mounted ConfigMap, caught while an update is swapped in. */
function configMapVolume(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-configmap-'));
  for (const version of ['..2026_12_07_10_00_00.1', '..2026_12_07_10_05_00.2']) {
    mkdirSync(join(dir, version));
    writeFileSync(join(dir, version, 'check.md'), TASK);
    writeFileSync(join(dir, version, 'nightly.yaml'), NIGHTLY);
  }
  symlinkSync('..2026_12_07_10_05_00.2', join(dir, '..data'));
  symlinkSync('..data/check.md', join(dir, 'check.md'));
  symlinkSync('..data/nightly.yaml', join(dir, 'nightly.yaml'));
  symlinkSync('..data/gone.yaml', join(dir, 'gone.yaml'));
  return dir;
}

describe('listing workflow files', () => {
  it('reads a mounted ConfigMap once, through its links, and skips the hidden versions', () => {
    const dir = configMapVolume();

    const files = listFiles(dir, (name) => name.endsWith('.yaml') || name.endsWith('.md'));
    const loaded = loadWorkflowFiles(dir);

    expect(files).toEqual([join(dir, 'check.md'), join(dir, 'nightly.yaml')]);
    expect([...loaded.markdown.keys()]).toEqual(['check']);
    expect([...loaded.yaml.keys()]).toEqual(['nightly']);
    expect(loaded.problems).toEqual([]);
  });

  it('walks sub-folders of a plain folder, in path order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
    mkdirSync(join(dir, 'b'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'b', 'x.yaml'), NIGHTLY);
    writeFileSync(join(dir, 'a.yaml'), NIGHTLY);
    writeFileSync(join(dir, '.git', 'hidden.yaml'), NIGHTLY);

    expect(listFiles(dir, (name) => name.endsWith('.yaml'))).toEqual([
      join(dir, 'a.yaml'),
      join(dir, 'b', 'x.yaml'),
    ]);
  });
});
