import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { proposeGitChange } from '../../src/tools/git/change.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import { seedBareRepository } from '../support/git-repo.ts';

/**
 * What a pull request's card (and the model, which is told the same diff) shows of a manifest:
 * never a Secret's data nor an env value, which the design keeps from the model and the chat.
 */
const BEFORE = `apiVersion: v1
kind: Secret
metadata: { name: web-db, namespace: shop }
data:
  username: d2ViYXBw
  pin: ODg0NDIx
---
metadata: { name: web, namespace: shop, labels: { tier: web } }
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            limits: { memory: 256Mi }
          env:
            - name: LICENCE
              value: LIC-7781-ACME-QQ91
`;

let root: string;
let settings: GitOpsSettings;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coxswain-hostile-secrets-'));
  const bare = join(root, 'gitops.git');
  const seed = join(root, 'seed');
  await seedBareRepository(bare, seed, { 'apps/web.yaml': BEFORE }, 'web');
  settings = {
    repo: bare,
    branch: 'main',
    path: 'apps',
    workDir: join(root, 'clone'),
    forge: { type: 'github', url: 'http://127.0.0.1:9', token: 'tok-1' },
    env: { PATH: process.env.PATH ?? '', HOME: root },
  };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a pull request's diff on the card and for the model", () => {
  it("shows neither the Secret's data next to the change nor the env value", async () => {
    const change = await proposeGitChange(
      openRepository(settings),
      {
        path: 'apps/web.yaml',
        content: BEFORE.replace('memory: 256Mi', 'memory: 512Mi').replace(
          'tier: web',
          'tier: front',
        ),
        title: 'more memory',
        cluster: 'sandbox',
      },
      'k-secrets',
    );

    expect(change.changes.map((c) => `${c.from} → ${c.to}`)).toEqual([
      'web → front',
      '256Mi → 512Mi',
    ]);
    // Both are on the card's File diff section and in the tool result the model reads.
    expect({
      envValue: change.diff.includes('LIC-7781-ACME-QQ91'),
      secretData: change.diff.includes('d2ViYXBw'),
    }).toEqual({ envValue: false, secretData: false });
  });
});
