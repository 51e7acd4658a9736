import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type ExecuteDeps,
  executeProposal,
  WritesSuspendedError,
} from '../../src/approvals/execute-proposal.ts';
import type { ProposalStore } from '../../src/approvals/proposal-store.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import {
  approvedMemoryChange,
  executeDeps,
  paymentsMemoryLimit,
} from '../support/approved-change.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The suspend switch against an approved change on its way to the cluster: a suspension that
 * comes while the worker checks the target (its reads and dry run) still stops the write, and a
 * change held by a suspension is judged again when writes resume (the binding may have changed).
 */
const sandbox = useSandbox(['oom-crashloop']);
const prefix = testPrefix();
let proxy: ReturnType<typeof createServer>;
let onDryRun: (() => Promise<void>) | undefined;
let redis: Redis;
let store: ProposalStore;
let deps: ExecuteDeps;
const posted: { jobId: string; data: OutboxJob }[] = [];

beforeAll(async () => {
  proxy = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', sandbox.sandbox.url);
    if (req.method === 'PATCH' && url.searchParams.get('dryRun') === 'All' && onDryRun) {
      const hook = onDryRun;
      onDryRun = undefined;
      await hook();
    }
    const fwd = request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'coxswain-rv-')), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'p',
          cluster: { server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
        },
      ],
      contexts: [{ name: 'p', context: { cluster: 'p' } }],
      'current-context': 'p',
    }),
  );
  redis = new Redis(testRedisUrl());
  deps = executeDeps(redis, prefix, kubeconfig, posted);
  store = deps.proposals;
});

afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

beforeEach(() => {
  posted.length = 0;
});

const approved = (call: string, memory: string) =>
  approvedMemoryChange(store, sandbox.cluster, 'run-review', call, memory);
const memoryLimit = () => paymentsMemoryLimit(sandbox.cluster);

describe('suspend and an approved change', () => {
  it('stops the write when writes are suspended while the worker checks the target', async () => {
    const before = await memoryLimit();
    const id = await approved('race', '600Mi');
    onDryRun = async () => {
      await deps.suspension.suspend('cli:ops', 'incident');
    };

    const outcome = await executeProposal(id, deps).catch((error: unknown) => error);

    await deps.suspension.resume('cli:ops');
    expect(outcome).toBeInstanceOf(WritesSuspendedError);
    expect(await memoryLimit()).toBe(before);
    expect((await store.record(id))?.state).toBe('executing');
  });

  it('judges a held change again when writes resume: an approver removed meanwhile stops it', async () => {
    const before = await memoryLimit();
    const id = await approved('held', '640Mi');
    await deps.suspension.suspend('cli:ops', 'freeze');
    const held = await executeProposal(id, deps).catch((error: unknown) => error);
    const binding = deps.bindings[0];
    if (binding === undefined) return expect.fail('a binding');
    const stricter = { ...deps, bindings: [{ ...binding, approvers: ['web:someone-else'] }] };
    await deps.suspension.resume('cli:ops');

    const result = await executeProposal(id, stricter);

    expect(held).toBeInstanceOf(WritesSuspendedError);
    expect(result.state).toBe('failed');
    expect(result.summary).toContain('the approval no longer holds');
    expect(await memoryLimit()).toBe(before);
  });
});
