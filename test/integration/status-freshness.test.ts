import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ClusterSnapshot, StatusStore } from '../../src/dashboard/status-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { Clusters } from '../../src/tools/kubernetes/cluster.ts';
import { STATUS_PACE } from '../../src/worker/status-pacer.ts';
import { keepStatusFresh, type StatusKeeper } from '../../src/worker/status-snapshots.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * The dashboard's Status follows the cluster within seconds: the worker watches what the health
 * reads and reads again on a change, not only once a minute. Here the minute is made ten, so a
 * change can show in time only through the watches.
 */
const sandbox = useSandbox(['healthy']);
/** A cluster whose RBAC lets the worker list pods but not watch them. */
const unwatchable = useSandbox(['healthy'], { deny: [{ verb: 'watch', resource: 'pods' }] });
/** Reads 250 ms apart rather than 2 s, and a lease renewed twice a second, to keep this short. */
const NO_FLOOR = { ...STATUS_PACE, gapMs: 250, floorMs: 600_000 };
const LEASE = { ms: 3_000, renewMs: 500 };
/** Well before the once-a-minute read; a change normally shows in about two seconds. */
const SOON_MS = 20_000;
let redis: Redis;
let prefix: string;
let store: StatusStore;
const keepers: StatusKeeper[] = [];

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
});

afterAll(() => redis.disconnect());

beforeEach(() => {
  prefix = testPrefix();
  store = new StatusStore(redis, prefix);
});

afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.stop()));
  await dropPrefix(testRedisUrl(), prefix);
});

/** A worker's status keeping, with its log lines. */
function keeper(options: { on?: TestSandbox; watchSeconds?: number } = {}): {
  keeper: StatusKeeper;
  logs: string[];
} {
  const logs: string[] = [];
  const kept = keepStatusFresh({
    clusters: new Clusters([{ name: 'sandbox', kubeconfig: (options.on ?? sandbox).kubeconfig }]),
    store,
    redis,
    prefix,
    log: createLogger('info', { write: (line: string) => logs.push(line) }),
    pace: NO_FLOOR,
    lease: LEASE,
    ...(options.watchSeconds === undefined ? {} : { watchSeconds: options.watchSeconds }),
  });
  keepers.push(kept);
  return { keeper: kept, logs };
}

async function snapshot(): Promise<ClusterSnapshot | undefined> {
  return (await store.read()).find((s) => s.cluster === 'sandbox');
}

/**
 * Once its watches are open and a read started after them: from then on, only a watch can
 * bring a change into the snapshot.
 */
async function watching(on = sandbox, watches = 3): Promise<ClusterSnapshot> {
  const openedBy = await eventually(
    async () => (on.sandbox.openWatches() === watches ? Date.now() : undefined),
    SOON_MS,
    `${watches} open watches`,
  );
  return eventually(
    async () => {
      const found = await snapshot();
      return found !== undefined && Date.parse(found.at) > openedBy ? found : undefined;
    },
    SOON_MS,
    'a snapshot read after the watches opened',
  );
}

/** Scales the shop's cart, and waits for the snapshot to count the shop's pods so. */
async function scaleCart(on: TestSandbox, replicas: number): Promise<{ was: number; now: number }> {
  const pods = async () => (await snapshot())?.health?.namespaces.shop?.pods.total;
  const was = (await pods()) ?? 0;
  const cart = await on.cluster.apps.readNamespacedDeploymentScale({
    name: 'cart',
    namespace: 'shop',
  });
  const expected = was + replicas - (cart.spec?.replicas ?? 0);

  await on.cluster.apps.replaceNamespacedDeploymentScale({
    name: 'cart',
    namespace: 'shop',
    body: { metadata: { name: 'cart', namespace: 'shop' }, spec: { replicas } },
  });
  const now = await eventually(
    async () => ((await pods()) === expected ? expected : undefined),
    SOON_MS,
    `${expected} shop pods in the snapshot`,
  );
  return { was, now };
}

const logged = (logs: string[], message: string) =>
  logs.filter((l) => l.includes(`"msg":"${message}"`)).map((l) => JSON.parse(l));

describe('the Status snapshot', () => {
  it('shows a deployment scaled within seconds, not at the next minute', async () => {
    keeper();
    await watching();

    const { was, now } = await scaleCart(sandbox, 4);

    expect(was).toBeGreaterThan(0);
    expect(now).toBe(was + 2);
  });

  it('shows a node cordoned within seconds', async () => {
    keeper();
    const before = await watching();

    await sandbox.cluster.core.patchNode(
      { name: 'sandbox-worker', body: { spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await eventually(
      async () => {
        const node = (await snapshot())?.health?.nodes.find((n) => n.name === 'sandbox-worker');
        return node?.cordoned === true ? node : undefined;
      },
      SOON_MS,
      'the node cordoned in the snapshot',
    );

    expect(before.health?.nodes.find((n) => n.name === 'sandbox-worker')?.cordoned).toBe(false);
    expect(after.ready).toBe(true);
    await sandbox.cluster.core.patchNode(
      { name: 'sandbox-worker', body: { spec: { unschedulable: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  });

  it('watches again when the server ends its watches, and still sees a change', async () => {
    const { logs } = keeper({ watchSeconds: 1 });
    await watching();
    const watchesBefore = sandbox.requests.filter((r) => r.watch).length;
    await eventually(
      async () =>
        sandbox.requests.filter((r) => r.watch).length >= watchesBefore + 6 ? true : undefined,
      SOON_MS,
      'each watch opened twice more',
    );

    const { was, now } = await scaleCart(sandbox, 3);

    expect(now).toBe(was - 1);
    expect(logged(logs, 'cluster watch failed; trying again')).toEqual([]);
  });

  it('is kept by one worker of two, and by the other once the first stops', async () => {
    const first = keeper();
    await watching();
    const second = keeper();
    await eventually(
      async () =>
        logged(second.logs, 'another worker keeps the cluster status fresh').length > 0
          ? true
          : undefined,
      SOON_MS,
      'the second worker standing by',
    );
    const watchesWhileBoth = sandbox.sandbox.openWatches();

    await first.keeper.stop();
    await eventually(
      async () =>
        logged(second.logs, 'keeping the cluster status fresh').length > 0 ? true : undefined,
      SOON_MS,
      'the second worker taking over',
    );
    await watching();
    const { was, now } = await scaleCart(sandbox, 2);

    expect(logged(first.logs, 'keeping the cluster status fresh')).toHaveLength(1);
    expect(watchesWhileBoth).toBe(3);
    expect(now).toBe(was - 1);
  });

  it('closes its watches when the worker stops', async () => {
    const { keeper: kept } = keeper();
    await watching();

    await kept.stop();

    await eventually(
      async () => (sandbox.sandbox.openWatches() === 0 ? true : undefined),
      5_000,
      'no open watches',
    );
  });

  it('keeps watching what it may when a watch is refused, and says so, backing off', async () => {
    const { logs } = keeper({ on: unwatchable });
    await watching(unwatchable, 2);
    const refusals = await eventually(
      async () => {
        const found = logged(logs, 'cluster watch failed; trying again');
        return found.length >= 2 ? found : undefined;
      },
      SOON_MS,
      'two refused watches',
    );

    const { was, now } = await scaleCart(unwatchable, 3);

    expect(now).toBe(was + 1);
    expect(refusals.slice(0, 2)).toEqual([
      expect.objectContaining({ collection: 'pods', retryInMs: 1_000 }),
      expect.objectContaining({ collection: 'pods', retryInMs: 2_000 }),
    ]);
    expect(refusals[0].reason).toMatch(/^forbidden: .* cannot watch pods/);
  });
});
