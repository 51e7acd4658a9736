import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIT_TOOL_NAMES, gitTools } from '../../src/agents/tool-use/git-tools.ts';
import { toolDefinitions } from '../../src/agents/tool-use/model-tools.ts';
import { executeProposal } from '../../src/approvals/execute-proposal.ts';
import {
  type ProposalRecord,
  ProposalStore,
  proposalId,
} from '../../src/approvals/proposal-store.ts';
import { renderCard } from '../../src/approvals/render-card.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { CoxswainError } from '../../src/errors.ts';
import { executeGitChange, proposeGitChange } from '../../src/tools/git/change.ts';
import { openPullRequest } from '../../src/tools/git/forge.ts';
import { findDeclarations } from '../../src/tools/git/manifests.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import {
  approvedAction,
  approveRecorded,
  executeDeps,
  proposingAs,
} from '../support/approved-change.ts';
import { type ForgeApi, startForgeApi } from '../support/forge-api.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * The git-operator's tools on a real `git` and a local bare repository seeded with manifests,
 * with a local forge speaking GitHub's and Gitea's pull-request shapes. One repository and one
 * clone for the file: each test adds few git processes.
 */
const run = promisify(execFile);
const TOKEN = 'ghp_forgeToken0123456789';
const WEB = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          resources:
            limits:
              memory: 128Mi
`;

let root: string;
let bare: string;
let redis: Redis;
let store: ProposalStore;
const prefix = testPrefix();

/** What a git-operator run proposes with. */
const proposing = (runId: string) => proposingAs(store, 'git-operator', runId);
let forge: ForgeApi;
let settings: GitOpsSettings;
const env = () => ({ PATH: process.env.PATH ?? '', HOME: root });

/** A commit straight into the bare repository, as someone else pushing would leave it. */
async function commitToBare(files: Record<string, string>, message: string): Promise<void> {
  const tree = join(root, 'seed');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(tree, path, '..'), { recursive: true });
    await writeFile(join(tree, path), text);
  }
  const git = ['--git-dir', bare, '--work-tree', tree];
  const who = {
    ...env(),
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
  };
  await run('git', [...git, 'add', '-A'], { env: who });
  await run('git', [...git, 'commit', '-q', '-m', message], { env: who });
}

/** A port nothing listens on: one the system just gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function bareBranch(branch: string): Promise<string | undefined> {
  try {
    return (
      await run('git', ['--git-dir', bare, 'rev-parse', '--verify', `refs/heads/${branch}`])
    ).stdout.trim();
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
  root = await mkdtemp(join(tmpdir(), 'coxswain-git-'));
  bare = join(root, 'acme', 'deploy.git');
  await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  await commitToBare(
    {
      'apps/web.yaml': WEB,
      'apps/db.yml': 'kind: StatefulSet\nmetadata:\n  name: db\n',
      'README.md': '# deploy\n',
    },
    'Seed the shop',
  );
  forge = await startForgeApi({
    type: 'github',
    token: TOKEN,
    branchExists: async (b) => (await bareBranch(b)) !== undefined,
  });
  settings = {
    repo: bare,
    branch: 'main',
    path: 'apps',
    workDir: join(root, 'clone'),
    forge: { type: 'github', url: forge.url, token: TOKEN },
    env: env(),
  };
});

afterAll(async () => {
  await dropPrefix(testRedisUrl(), prefix);
  redis?.disconnect();
  await forge?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the git-operator on a real clone', () => {
  it('clones, reads a file, finds the manifest declaring an object, and sees new commits', async () => {
    const repo = openRepository(settings);

    const file = await repo.readFile('apps/web.yaml');
    const found = findDeclarations(await repo.manifests(), {
      kind: 'Deployment',
      name: 'web',
      namespace: 'shop',
    });
    await commitToBare(
      { 'apps/db.yml': 'kind: StatefulSet\nmetadata:\n  name: db\nspec:\n  replicas: 3\n' },
      'Three db replicas',
    );
    const log = await repo.log({ limit: 500 });
    const diff = await repo.diff({ from: 'HEAD~1', to: 'main', path: 'apps/db.yml' });

    expect(file).toBe(WEB);
    expect(found).toMatchObject([{ path: 'apps/web.yaml', document: 1, line: 7 }]);
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(log).toMatch(/^[0-9a-f]{7,} \S+ Dev: Three db replicas$/m);
    expect(diff).toContain('+  replicas: 3');
    await expect(repo.readFile('apps/missing.yaml')).rejects.toThrow(
      /has no file apps\/missing.yaml on main/,
    );
    await expect(repo.readFile('../etc/passwd')).rejects.toThrow(
      /not a path inside the repository/,
    );
  });

  it("gives the git-operator's model the reads, and says when no repository is configured", async () => {
    const tools = gitTools(GIT_TOOL_NAMES, openRepository(settings), proposing('run-reads'));
    const find = tools.find((t) => t.name === 'git_find_manifest');

    const found = await find?.run(
      { id: 'call-1' },
      { kind: 'Deployment', name: 'web', namespace: 'shop' },
    );
    const unconfigured = await gitTools(['git_log'], undefined, proposing('run-none'))[0]?.run(
      { id: 'call-2' },
      { limit: 5 },
    );

    expect(toolDefinitions(tools).map((t) => t.name)).toEqual([
      'git_read_file',
      'git_log',
      'git_diff',
      'git_find_manifest',
      'git_propose_change',
    ]);
    expect(found).toEqual({
      content: 'apps/web.yaml (document 2, line 7): Deployment shop/web',
      isError: false,
    });
    expect(unconfigured).toEqual({
      content: 'no GitOps repository is configured (the gitops section of the config file)',
      isError: true,
    });
  });

  it('proposes a change with its file diff, then pushes a branch and opens one pull request', async () => {
    const repo = openRepository(settings);
    const content = WEB.replace('memory: 128Mi', 'memory: 256Mi');

    const change = await proposeGitChange(
      repo,
      { path: 'apps/web.yaml', content, title: 'Raise web memory to 256Mi', cluster: 'sandbox' },
      'p-raise1',
    );
    const before = forge.requests.length;
    const done = await executeGitChange(repo, change, 'slack:U123');

    expect(change.diff).toContain('--- Deployment shop/web (on the branch)');
    expect(change.diff).toContain('-              memory: 128Mi');
    expect(change.diff).toContain('+              memory: 256Mi');
    expect(await bareBranch('coxswain/p-raise1')).toBe(done.commit);
    const pushed = await run('git', ['--git-dir', bare, 'show', `${done.commit}:apps/web.yaml`]);
    expect(pushed.stdout).toBe(content);
    expect(await bareBranch('main')).toBe(change.baseCommit);
    expect(forge.requests.slice(before)).toEqual([
      {
        path: '/repos/acme/deploy/pulls',
        authorization: `token ${TOKEN}`,
        body: expect.objectContaining({
          head: 'coxswain/p-raise1',
          base: 'main',
          title: 'Raise web memory to 256Mi',
        }),
      },
    ]);
    expect(done.pullRequest.html_url).toMatch(/\/acme\/deploy\/pull\/\d+$/);
  });

  it('names the repository and the reason when a push is refused, and never the token', async () => {
    const repo = openRepository(settings);
    const change = await proposeGitChange(
      repo,
      {
        path: 'apps/db.yml',
        content: 'kind: StatefulSet\nmetadata:\n  name: db\n',
        title: 'Back to one replica',
        cluster: 'sandbox',
      },
      'p-refused',
    );
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      `#!/bin/sh\necho "protected: pushes need review (${TOKEN})" >&2\nexit 1\n`,
      { mode: 0o755 },
    );

    const failure = await executeGitChange(repo, change, 'slack:U123').catch((e: unknown) => e);
    await rm(hook);

    expect(failure).toBeInstanceOf(CoxswainError);
    const message = (failure as Error).message;
    expect(message).toContain(`git push on repository ${bare} failed`);
    expect(message).toContain('protected: pushes need review');
    expect(message).not.toContain(TOKEN);
    expect(await bareBranch('coxswain/p-refused')).toBeUndefined();
  });

  it('reports a forge that refuses the pull request, without the token', async () => {
    const repo = openRepository(settings);
    const change = await proposeGitChange(
      repo,
      {
        path: 'apps/new.yaml',
        content: `kind: ConfigMap\nmetadata:\n  name: new\ndata:\n  note: rotated ${TOKEN}\n`,
        title: 'Add a config map',
        cluster: 'sandbox',
      },
      'p-forge-no',
    );
    forge.refuse = true;

    const failure = await executeGitChange(repo, change, 'slack:U123').catch((e: unknown) => e);
    forge.refuse = false;

    expect(change.diff).toContain('--- ConfigMap new (not in the file)');
    expect(change.diff).toContain('+  note: "[redacted]"');
    expect(change.diff).not.toContain(TOKEN);
    expect((failure as CoxswainError).code).toBe('forge');
    expect((failure as Error).message).toBe(
      'GitHub (acme/deploy) refused the pull request: 403 Resource not accessible by personal access token',
    );
    // The branch is pushed; a retry opens the pull request from it without pushing again.
    const pushed = await bareBranch('coxswain/p-forge-no');
    const retried = await executeGitChange(repo, change, 'slack:U123');
    expect(retried.commit).toBe(pushed);
  });

  it('names a repository that cannot be cloned, with no credentials in the reason', async () => {
    const secret = 'hunter2secretpass';
    const repo = openRepository({
      ...settings,
      repo: `http://deployer:${secret}@127.0.0.1:9/acme/deploy.git`,
      workDir: join(root, 'unreachable'),
    });

    const failure = await repo.readFile('apps/web.yaml').catch((e: unknown) => e);

    const message = (failure as Error).message;
    expect(message).toMatch(
      /^git clone on repository http:\/\/\[redacted\]@127\.0\.0\.1:9\/acme\/deploy\.git failed: /,
    );
    expect(message).not.toContain(secret);
    expect(message).not.toContain(TOKEN);
  });

  it("speaks Gitea's pull-request API through gitea-js, and reports a wrong token", async () => {
    const gitea = await startForgeApi({
      type: 'gitea',
      token: 'gitea-tok-777',
      branchExists: async () => true,
    });
    try {
      const to = {
        repo: 'https://gitea.example/acme/deploy.git',
        forge: { type: 'gitea' as const, url: gitea.url, token: 'gitea-tok-777' },
      };

      const pr = await openPullRequest(to, {
        head: 'coxswain/x',
        base: 'main',
        title: 't',
        body: '',
      });
      const wrong = await openPullRequest(
        { ...to, forge: { ...to.forge, token: 'wrong-token-1' } },
        { head: 'coxswain/x', base: 'main', title: 't', body: '' },
      ).catch((e: unknown) => e);

      expect(pr).toEqual({ number: 1, html_url: 'https://gitea.example/acme/deploy/pulls/1' });
      expect(gitea.requests[0]).toEqual({
        path: '/api/v1/repos/acme/deploy/pulls',
        authorization: 'Bearer gitea-tok-777',
        body: { head: 'coxswain/x', base: 'main', title: 't', body: '' },
      });
      expect((wrong as Error).message).toBe(
        'Gitea (acme/deploy) refused the pull request: 401 Bad credentials',
      );
    } finally {
      await gitea.close();
    }
  });

  it('speaks to a GitHub Enterprise Server under /api/v3, and names a forge it cannot reach', async () => {
    const ghe = await startForgeApi({
      type: 'github',
      token: TOKEN,
      prefix: '/api/v3',
      branchExists: async () => true,
    });
    try {
      const to = { repo: 'git@ghe.example:acme/deploy.git', forge: settings.forge };
      const input = { head: 'coxswain/e', base: 'main', title: 't', body: '' };

      const pr = await openPullRequest({ ...to, forge: { ...to.forge, url: ghe.url } }, input);
      const down = await openPullRequest(
        { ...to, forge: { ...to.forge, url: `http://127.0.0.1:${await closedPort()}/api/v3` } },
        input,
      ).catch((e: unknown) => e);

      expect(ghe.url).toMatch(/\/api\/v3$/);
      expect(pr).toEqual({ number: 1, html_url: 'https://github.example/acme/deploy/pull/1' });
      expect(ghe.requests.map((r) => r.path)).toEqual(['/api/v3/repos/acme/deploy/pulls']);
      expect((down as CoxswainError).code).toBe('forge');
      expect((down as Error).message).toMatch(
        /^GitHub \(acme\/deploy\) could not be reached: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
      );
    } finally {
      await ghe.close();
    }
  });
  it.each([
    ['github', 'streamed with no length'],
    ['gitea', 'declared up front'],
  ] as const)(
    'refuses a %s answer of 64 MB %s, unread and without the token',
    async (type, how) => {
      let sent = 0;
      const huge = createHttpServer((_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        res.writeHead(201, {
          'content-type': 'application/json',
          ...(how === 'declared up front' ? { 'content-length': String(64 * 1024 * 1024) } : {}),
        });
        const more = () => {
          while (sent < 64 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('close', () => res.destroy());
        more();
      });
      await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(huge.address() as AddressInfo).port}`;
        const forge = { ...settings.forge, type, url };
        const input = { head: 'coxswain/huge', base: 'main', title: 't', body: '' };
        const error = await openPullRequest({ repo: settings.repo, forge }, input).catch(
          (e: unknown) => e,
        );

        expect((error as CoxswainError).code).toBe('forge');
        expect((error as Error).message).toMatch(
          /^(GitHub|Gitea) \(acme\/deploy\) answered with more than 1048576 bytes, which were not read$/,
        );
        expect((error as Error).message).not.toContain(TOKEN);
        expect(sent).toBeLessThan(32 * 1024 * 1024);
      } finally {
        huge.closeAllConnections();
        await new Promise<void>((resolve) => huge.close(() => resolve()));
      }
    },
  );
});

describe('a manifest change as a proposal', () => {
  /** The actions worker's deps for these tests: the clone, and the outbox kept in `posted`. */
  function deps(posted: { jobId: string; data: OutboxJob }[], on: GitOpsSettings = settings) {
    return {
      ...executeDeps(redis, prefix, '/nonexistent/kubeconfig', posted),
      proposals: store,
      git: openRepository(on),
    };
  }

  it('is proposed by the model tool with its file diff and every field it changes, and opens one pull request once approved', async () => {
    const [tool] = gitTools(['git_propose_change'], openRepository(settings), proposing('run-pr'));
    const current = await openRepository(settings).readFile('apps/web.yaml');
    const content = current.replace(/memory: \d+Mi/, 'memory: 512Mi');

    const outcome = await tool?.run(
      { id: 'toolu_pr1' },
      { path: 'apps/web.yaml', content, title: 'Raise web memory to 512Mi', body: 'OOMKilled' },
    );
    const id = proposalId('run-pr', 'toolu_pr1');
    const proposed = await store.record(id);

    expect(outcome?.isError).toBe(false);
    expect(outcome?.content).toMatch(
      /^Proposed, not done: open a pull request changing apps\/web.yaml/,
    );
    expect(outcome?.content).toContain('+              memory: 512Mi');
    expect(proposed?.action).toMatchObject({
      type: 'git-change',
      verb: 'commit',
      target: { cluster: 'sandbox', namespace: 'shop', kind: 'Deployment', name: 'web' },
      changes: [
        {
          path: 'Deployment shop/web spec.template.spec.containers[web].resources.limits.memory',
          to: '512Mi',
        },
      ],
    });
    const card = renderCard(proposed as ProposalRecord, 'confirm');
    expect(card.sections?.map((s) => s.title)).toEqual([
      'Changes (1 field)',
      'Risk',
      'Manifest diff (pull request to main)',
    ]);
    expect(card.fields?.[0]?.value).toContain(
      'apps/web.yaml; Argo CD deploys it to cluster sandbox, namespace shop',
    );

    // Approved in web:ops, executed by the actions worker, then executed again (a retried job).
    await approveRecorded(store, id);
    const posted: { jobId: string; data: OutboxJob }[] = [];
    const asked = forge.requests.length;
    const done = await executeProposal(id, deps(posted));
    const again = await executeProposal(id, deps(posted));

    const record = await store.record(id);
    expect(done.state).toBe('succeeded');
    expect(again.summary).toMatch(/is succeeded; nothing to do/);
    expect(forge.requests.slice(asked).filter((r) => r.body !== undefined)).toHaveLength(1);
    expect(record?.result?.link?.url).toMatch(
      /^https:\/\/github\.example\/acme\/deploy\/pull\/\d+$/,
    );
    const branch = (proposed?.action as { branch: string } | undefined)?.branch ?? 'none';
    const pushed = await bareBranch(branch);
    expect(record?.applied).toMatchObject({ resourceVersionAfter: pushed });
    const file = await run('git', ['--git-dir', bare, 'show', `${pushed}:apps/web.yaml`]);
    expect(file.stdout).toBe(content);
    const final = renderCard(record as ProposalRecord, 'confirm');
    expect(final.headline).toMatch(/^Done: open a pull request/);
    expect(final.links).toEqual([record?.result?.link]);
    const audit = (await new AuditLog(redis, prefix).latest(20)).find(
      (e) => e.proposal === id && e.event === 'executed',
    );
    expect(audit).toMatchObject({
      approver: 'web:sre',
      resourceVersionBefore: (proposed?.action as { baseCommit: string } | undefined)?.baseCommit,
    });
  });

  /** The file's GitHub forge, or a Gitea one on the same bare repository for one test. */
  async function forgeOf(type: 'github' | 'gitea'): Promise<{ api: ForgeApi; on: GitOpsSettings }> {
    if (type === 'github') return { api: forge, on: settings };
    const api = await startForgeApi({
      type,
      token: 'gitea-tok-9',
      branchExists: async (b) => (await bareBranch(b)) !== undefined,
    });
    return { api, on: { ...settings, forge: { type, url: api.url, token: 'gitea-tok-9' } } };
  }

  it.each([
    [
      'github',
      '768Mi',
      '/repos/acme/deploy/pulls?state=all&head=acme%3Acoxswain%2Fp-taken-over-github&base=main',
    ],
    ['gitea', '896Mi', '/api/v1/repos/acme/deploy/pulls/main/coxswain/p-taken-over-gitea'],
  ] as const)(
    'finds the pull request an earlier worker opened before it stopped, and opens no second one (%s)',
    async (type, memory, lookup) => {
      const { api, on } = await forgeOf(type);
      try {
        const repo = openRepository(on);
        const current = await repo.readFile('apps/web.yaml');
        const change = await proposeGitChange(
          repo,
          {
            path: 'apps/web.yaml',
            content: current.replace(/memory: \d+Mi/, `memory: ${memory}`),
            title: `web to ${memory}`,
            cluster: 'sandbox',
          },
          `p-taken-over-${type}`,
        );
        const id = await approvedAction(store, change, `run-takeover-${type}`, 'toolu_t1');
        // The first worker moved it to executing, pushed and opened the pull request, then died.
        await store.transition(id, ['approved'], 'executing', 'worker', {});
        const first = await executeGitChange(repo, change, 'web:sre');
        const asked = api.requests.length;

        const posted: { jobId: string; data: OutboxJob }[] = [];
        const done = await executeProposal(id, deps(posted, on));

        expect(done.state).toBe('succeeded');
        const since = api.requests.slice(asked);
        expect(since.every((r) => r.body === undefined)).toBe(true);
        expect(since.map((r) => r.path)).toContain(lookup);
        const record = await store.record(id);
        expect(record?.result?.summary).toMatch(/^Already in place/);
        expect(record?.result?.verified).toContain(`#${first.pullRequest.number}`);
        expect(record?.result?.verified).toContain(first.pullRequest.html_url);
      } finally {
        if (api !== forge) await api.close();
      }
    },
  );

  it('refuses a manifest change that would give a workload power, or touch a Secret, whatever the tier', async () => {
    const repo = openRepository(settings);
    const current = await repo.readFile('apps/web.yaml');
    const privileged = current.replace(
      '        - name: web\n',
      '        - name: web\n          securityContext:\n            privileged: true\n',
    );
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-pass\n  namespace: shop\nstringData:\n  password: x\n';

    const one = await proposeGitChange(
      repo,
      { path: 'apps/web.yaml', content: privileged, title: 'p', cluster: 'sandbox' },
      'p-priv',
    ).catch((e: unknown) => e);
    const two = await proposeGitChange(
      repo,
      { path: 'apps/secret.yaml', content: secret, title: 's', cluster: 'sandbox' },
      'p-secret',
    ).catch((e: unknown) => e);
    const three = await proposeGitChange(
      repo,
      { path: 'apps/web.yaml', content: current, title: 'same', cluster: 'sandbox' },
      'p-same',
    ).catch((e: unknown) => e);
    const four = await proposeGitChange(
      repo,
      {
        path: 'apps/web.yaml',
        content: current.replace(/memory: \d+Mi/, 'memory: 640Mi'),
        title: 'ns',
        cluster: 'sandbox',
        namespace: 'other',
      },
      'p-ns',
    ).catch((e: unknown) => e);

    expect((one as CoxswainError).code).toBe('forbidden_change');
    expect((one as Error).message).toMatch(/Deployment shop\/web: .*privileged/);
    expect((two as CoxswainError).code).toBe('forbidden_change');
    expect((two as Error).message).toMatch(
      /workloads and their configuration only .*, not Secret$/,
    );
    expect((three as CoxswainError).code).toBe('no_change');
    expect((four as Error).message).toBe(
      'Service web in apps/web.yaml names namespace shop, not other',
    );
  });
});
