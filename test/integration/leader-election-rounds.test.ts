import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { kubernetesLeaseStore } from '../../src/runtime/kubernetes-lease.ts';
import { LeaderElection } from '../../src/runtime/leader-election.ts';
import type { LeaseStore } from '../../src/runtime/lease-store.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/start-sandbox.ts';
import { connect } from '../../src/tools/kubernetes/cluster.ts';
import { KubeGate } from '../support/kube-gate.ts';

/**
 * The election against the sandbox's API server, in this process, through the real Kubernetes
 * client: its Leases, its resourceVersions and its 409s. Rounds are driven by hand on a clock
 * the test moves, so that what expires when is exact.
 */
const log = createLogger('silent');
let sandbox: Sandbox;
let dir: string;
let kubeconfig: string;
let lease: { namespace: string; name: string };
let counter = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ scenarios: [] });
  dir = mkdtempSync(join(tmpdir(), 'coxswain-lease-'));
  kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  counter += 1;
  lease = { namespace: 'default', name: `coxswain-bot-${counter}` };
});

function store(): LeaseStore {
  return kubernetesLeaseStore(lease, { inCluster: false, kubeconfig }, 5);
}

/** A contender on its own clock, which the test moves. */
function contender(identity: string, durationSeconds = 15) {
  const clock = { ms: 0 };
  const election = new LeaderElection({
    store: store(),
    identity,
    durationSeconds,
    log,
    now: () => clock.ms,
    lead: async () => undefined,
    standDown: async () => undefined,
  });
  return { election, clock };
}

async function readLease(): Promise<{ spec: Record<string, unknown> }> {
  const cluster = connect({ name: 'check', kubeconfig });
  return (await cluster.json(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/${lease.namespace}/leases/${lease.name}`,
  )) as { spec: Record<string, unknown> };
}

describe('one round of leader election', () => {
  it('lets exactly one of two contenders take a Lease that does not exist yet', async () => {
    const a = contender('pod-a');
    const b = contender('pod-b');

    const won = await Promise.all([a.election.tryAcquireOrRenew(), b.election.tryAcquireOrRenew()]);
    const stored = await readLease();

    expect(won.filter(Boolean)).toHaveLength(1);
    expect(stored.spec.holderIdentity).toBe(won[0] ? 'pod-a' : 'pod-b');
    expect(stored.spec.leaseDurationSeconds).toBe(15);
    expect(stored.spec.leaseTransitions).toBe(0);
    // MicroTime: the API server parses exactly six fractional digits.
    expect(stored.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(stored.spec.acquireTime).toMatch(/\.\d{6}Z$/);
  });

  it('keeps a renewed Lease from a standby however far its own clock runs', async () => {
    const a = contender('pod-a');
    const b = contender('pod-b');
    await a.election.tryAcquireOrRenew();
    await b.election.tryAcquireOrRenew();

    const rounds: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      b.clock.ms += 10_000;
      await a.election.tryAcquireOrRenew();
      rounds.push(await b.election.tryAcquireOrRenew());
    }

    expect(rounds).toEqual([false, false, false, false]);
    expect((await readLease()).spec.holderIdentity).toBe('pod-a');
  });

  it('takes over once the Lease has gone unrenewed for its duration by its own clock', async () => {
    const a = contender('pod-a');
    const b = contender('pod-b');
    await a.election.tryAcquireOrRenew();
    await b.election.tryAcquireOrRenew();

    b.clock.ms += 14_000;
    const early = await b.election.tryAcquireOrRenew();
    b.clock.ms += 1_000;
    const onTime = await b.election.tryAcquireOrRenew();
    const stored = await readLease();
    const formerHolder = await a.election.tryAcquireOrRenew();

    expect(early).toBe(false);
    expect(onTime).toBe(true);
    expect(stored.spec.holderIdentity).toBe('pod-b');
    expect(stored.spec.leaseTransitions).toBe(1);
    expect(formerHolder).toBe(false);
  });

  it("does not trust the holder's renewTime against its own wall clock", async () => {
    const a = contender('pod-a');
    await a.election.tryAcquireOrRenew();
    const api = connect({ name: 'skew', kubeconfig }).coordination;
    const current = await api.readNamespacedLease(lease);
    // A holder whose clock runs an hour behind ours: by wall clocks its Lease ran out long ago.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await api.replaceNamespacedLease({
      ...lease,
      body: { ...current, spec: { ...current.spec, renewTime: hourAgo, acquireTime: hourAgo } },
    });
    const b = contender('pod-b');

    const firstSight = await b.election.tryAcquireOrRenew();
    b.clock.ms += 15_000;
    const afterDuration = await b.election.tryAcquireOrRenew();

    expect(firstSight).toBe(false);
    expect(afterDuration).toBe(true);
  });

  it('hands over at once when the holder releases the Lease', async () => {
    const a = contender('pod-a');
    const b = contender('pod-b');
    await a.election.tryAcquireOrRenew();
    await b.election.tryAcquireOrRenew();

    await a.election.release();
    const released = await readLease();
    const taken = await b.election.tryAcquireOrRenew();

    expect(released.spec.holderIdentity ?? '').toBe('');
    expect(taken).toBe(true);
    expect((await readLease()).spec.holderIdentity).toBe('pod-b');
  });

  it('keeps its acquireTime and transitions while it renews', async () => {
    const a = contender('pod-a');
    await a.election.tryAcquireOrRenew();
    const first = await readLease();

    a.clock.ms += 5_000;
    const renewed = await a.election.tryAcquireOrRenew();
    const second = await readLease();

    expect(renewed).toBe(true);
    expect(second.spec.acquireTime).toBe(first.spec.acquireTime);
    expect(second.spec.leaseTransitions).toBe(0);
    expect(second.spec.renewTime).not.toBe(first.spec.renewTime);
  });
});

/** Polls until `check` holds, for up to `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A contender on the real clock that records when it leads and stands down, in its own events and
 * in a `timeline` several contenders may share.
 */
function running(
  identity: string,
  leaseStore = store(),
  options: { lead?: () => Promise<void>; timeline?: string[]; durationSeconds?: number } = {},
) {
  const events: string[] = [];
  const record = (event: string) => {
    events.push(event);
    options.timeline?.push(`${identity} ${event}`);
  };
  const election = new LeaderElection({
    store: leaseStore,
    identity,
    // Shorter than the product allows, to keep these tests quick; the rules are the same.
    durationSeconds: options.durationSeconds ?? 1.5,
    log,
    lead: async () => {
      record('lead');
      await options.lead?.();
    },
    standDown: async () => {
      record('stand down');
    },
  });
  return { election, events };
}

describe('standing for election', () => {
  it('leads alone, and hands over on stop to a standby that then leads', async () => {
    const a = running('pod-a');
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');
    const b = running('pod-b');
    b.election.start();

    await a.election.stop();
    await until(() => b.election.leading, 'pod-b to take over');
    await b.election.stop();

    expect(a.events).toEqual(['lead', 'stand down']);
    expect(b.events).toEqual(['lead', 'stand down']);
    expect((await readLease()).spec.leaseTransitions).toBe(1);
  });

  it('steps down when another replica has taken the Lease', async () => {
    const a = running('pod-a');
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');
    const api = connect({ name: 'thief', kubeconfig }).coordination;
    const current = await api.readNamespacedLease(lease);

    await api.replaceNamespacedLease({
      ...lease,
      body: { ...current, spec: { ...current.spec, holderIdentity: 'pod-z' } },
    });
    await until(() => !a.election.leading, 'pod-a to step down');
    await a.election.stop();

    expect(a.events).toEqual(['lead', 'stand down']);
    expect((await readLease()).spec.holderIdentity).toBe('pod-z');
  });

  it('keeps renewing while taking over takes longer than the Lease lasts', async () => {
    let connected = false;
    const a = running('pod-a', store(), {
      lead: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        connected = true;
      },
    });
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');
    const b = running('pod-b');
    b.election.start();

    await until(() => connected, 'pod-a to finish taking over');
    const stillLeading = a.election.leading;
    const standbyLed = b.events.length > 0;
    const holder = (await readLease()).spec.holderIdentity;
    await a.election.stop();
    await until(() => b.election.leading, 'pod-b to take over');
    await b.election.stop();

    expect(stillLeading).toBe(true);
    expect(standbyLed).toBe(false);
    expect(holder).toBe('pod-a');
    expect(a.events).toEqual(['lead', 'stand down']);
    expect(b.events).toEqual(['lead', 'stand down']);
  });

  it('gives the Lease up when taking over fails, so that a standby leads', async () => {
    const a = running('pod-a', store(), {
      lead: async () => {
        throw new Error('Slack could not be reached');
      },
    });
    a.election.start();
    await until(() => a.events.includes('stand down'), 'pod-a to give up');
    const b = running('pod-b');
    b.election.start();

    await until(() => b.election.leading, 'pod-b to lead');
    await a.election.stop();
    const holder = (await readLease()).spec.holderIdentity;
    await b.election.stop();

    expect(a.events.slice(0, 2)).toEqual(['lead', 'stand down']);
    expect(holder).toBe('pod-b');
  });

  it('steps down when it cannot renew before its deadline', async () => {
    const own = await startSandbox({ scenarios: [] });
    const file = join(dir, 'own-kubeconfig');
    writeFileSync(file, own.kubeconfig);
    const a = running(
      'pod-a',
      kubernetesLeaseStore(lease, { inCluster: false, kubeconfig: file }, 1),
    );
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');

    await own.close();
    await until(() => !a.election.leading, 'pod-a to step down');
    await a.election.stop();

    expect(a.events).toEqual(['lead', 'stand down']);
  });

  it('keeps leading through an API server that answers every call slowly', async () => {
    const gate = await KubeGate.start(sandbox.url);
    const file = join(dir, 'slow-kubeconfig');
    gate.writeKubeconfig(file);
    gate.delayMs = 300;
    // Each round (a read and a write) takes 0.6 s of the 2 s a holder has to renew a 3 s Lease.
    const a = running(
      'pod-a',
      kubernetesLeaseStore(lease, { inCluster: false, kubeconfig: file }, 60),
      { durationSeconds: 3 },
    );
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');

    const renewTimes = new Set<unknown>();
    while (renewTimes.size < 6) {
      renewTimes.add((await readLease()).spec.renewTime);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await a.election.stop();
    await gate.close();

    expect(a.events).toEqual(['lead', 'stand down']);
  });

  it('steps down at its deadline while a renewal hangs, before a standby may take the Lease', async () => {
    const gate = await KubeGate.start(sandbox.url);
    const file = join(dir, 'gate-kubeconfig');
    gate.writeKubeconfig(file);
    const timeline: string[] = [];
    // A call may take longer than the Lease lasts: the deadline is the election's, not the call's.
    const a = running(
      'pod-a',
      kubernetesLeaseStore(lease, { inCluster: false, kubeconfig: file }, 60),
      {
        timeline,
        durationSeconds: 3,
      },
    );
    a.election.start();
    await until(() => a.election.leading, 'pod-a to lead');
    const b = running('pod-b', store(), { timeline, durationSeconds: 3 });
    b.election.start();

    gate.mode = 'hang';
    await until(() => b.election.leading, 'pod-b to take over');
    await b.election.stop();
    await gate.close();
    await a.election.stop();

    expect(timeline.slice(0, 3)).toEqual(['pod-a lead', 'pod-a stand down', 'pod-b lead']);
  });
});
