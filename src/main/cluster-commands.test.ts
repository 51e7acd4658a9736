import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterCommand } from './cluster-commands.ts';

const saved = process.env.WORKFLOWS_DIR;
const dirs: string[] = [];

afterEach(() => {
  if (saved === undefined) delete process.env.WORKFLOWS_DIR;
  else process.env.WORKFLOWS_DIR = saved;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('coxswain deploy', () => {
  it('runs the workflows of WORKFLOWS_DIR, not the shipped ones', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'coxswain-cli-workflows-'));
    dirs.push(empty);
    process.env.WORKFLOWS_DIR = empty;

    await expect(clusterCommand('deploy')(['web'])).rejects.toThrow(
      'no workflow named deploy-app (workflows: none)',
    );
  });
});
