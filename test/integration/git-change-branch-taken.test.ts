import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { executeGitChange, proposeGitChange } from '../../src/tools/git/change.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import { type ForgeApi, startForgeApi } from '../support/forge-api.ts';
import { GIT_PERSON, seedBareRepository } from '../support/git-repo.ts';

/**
 * The content a pull request carries is the content approved. The proposal's branch name is
 * known before approval (it is on the proposal, from the run id and the content's hash); someone
 * who may push branches (not merge) pushes that branch first with other content.
 */
const run = promisify(execFile);
const manifest = (memory: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    spec:${extra}
      containers:
        - name: web
          image: nginx:1.27
          resources:
            limits: { memory: ${memory} }
`;

let root: string;
let bare: string;
let forge: ForgeApi;
let settings: GitOpsSettings;
const env = GIT_PERSON;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coxswain-branch-taken-'));
  bare = join(root, 'gitops.git');
  const seed = join(root, 'seed');
  await seedBareRepository(bare, seed, { 'apps/web.yaml': manifest('256Mi') }, 'web');
  forge = await startForgeApi({ type: 'github', token: 'tok-1', branchExists: async () => true });
  settings = {
    repo: bare,
    branch: 'main',
    path: 'apps',
    workDir: join(root, 'clone'),
    forge: { type: 'github', url: forge.url, token: 'tok-1' },
    env: { PATH: process.env.PATH ?? '', HOME: root },
  };
});

afterAll(async () => {
  await forge?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the pull request an approved git change opens', () => {
  it('opens no pull request from a branch someone else pushed first under its name', async () => {
    const repo = openRepository(settings);
    const change = await proposeGitChange(
      repo,
      { path: 'apps/web.yaml', content: manifest('512Mi'), title: 'more memory', cluster: 'c' },
      'run-1-abc',
    );
    // Someone with push rights (no merge rights) pushes the proposal's branch first.
    const other = join(root, 'other');
    await run('git', ['clone', '-q', bare, other], { env });
    await writeFile(
      join(other, 'apps', 'web.yaml'),
      manifest('512Mi', '\n      hostNetwork: true'),
    );
    await run('git', ['-C', other, 'commit', '-qam', 'more memory'], { env });
    await run('git', ['-C', other, 'push', '-q', 'origin', `HEAD:refs/heads/${change.branch}`], {
      env,
    });

    const asked = forge.requests.length;
    const failure = await executeGitChange(repo, change, 'slack:U0LEAD').catch((e: unknown) => e);

    expect((failure as Error).message).toBe(
      `branch ${change.branch} already exists on the remote with other content; no pull request was opened from it`,
    );
    expect(forge.requests.slice(asked).filter((r) => r.body !== undefined)).toEqual([]);
  });
});
