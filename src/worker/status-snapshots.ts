import type { Redis } from 'ioredis';
import { readClusterHealth } from '../commands/status.ts';
import { STATUS_SOURCES } from '../commands/status-sources.ts';
import type { StatusStore } from '../dashboard/status-store.ts';
import type { Logger } from '../observability/logger.ts';
import { redactText } from '../policy/redact.ts';
import { withTimeout } from '../queue/connection.ts';
import { Lease } from '../queue/lease.ts';
import type { Cluster, Clusters } from '../tools/kubernetes/cluster.ts';
import {
  type Clock,
  type PaceOptions,
  paceReads,
  REAL_CLOCK,
  RefreshPacer,
  STATUS_PACE,
} from './status-pacer.ts';
import { keepWatching, type Watching } from './status-watch.ts';

/**
 * Keeps each cluster's snapshot for the dashboard's Status fresh: read when a worker starts,
 * again within seconds of a change the health reads (watches on nodes, pods and deployments),
 * and at least once a minute. Of several workers, the one holding a cluster's lease watches and
 * reads it, so that the cluster is watched and read once however many workers run; the others
 * take over within seconds when it stops, and within the lease's time when it dies.
 */
/** How long a cluster's lease lasts unrenewed, and how often its holder renews it. */
const LEASE = { ms: 15_000, renewMs: 5_000 };
const STOP_WAIT_MS = 3_000;

type StatusDeps = {
  clusters: Clusters;
  store: StatusStore;
  redis: Redis;
  prefix: string;
  log: Logger;
  pace?: PaceOptions;
  clock?: Clock;
  watchSeconds?: number;
  lease?: { ms: number; renewMs: number };
};

export type StatusKeeper = { stop(): Promise<void> };

export function keepStatusFresh(deps: StatusDeps): StatusKeeper {
  const keepers = deps.clusters.names.map((name) =>
    keepCluster(name, { ...deps, log: deps.log.child({ component: 'status', cluster: name }) }),
  );
  return {
    async stop() {
      await Promise.all(keepers.map((k) => k.stop()));
    },
  };
}

/** While this worker holds the cluster's lease: reads paced by what the watches see. */
type Keeping = { reads: ReturnType<typeof paceReads>; watches: Watching[] };

function keepCluster(name: string, deps: StatusDeps): StatusKeeper {
  const clock = deps.clock ?? REAL_CLOCK;
  const timing = deps.lease ?? LEASE;
  const lease = new Lease(deps.redis, `${deps.prefix}:dashboard:status-lease:${name}`, timing.ms);
  let keeping: Keeping | undefined;
  let standingBy = false;
  let stopped = false;
  let cancel: (() => void) | undefined;

  const renew = async () => {
    const held = await lease.hold().catch((error: unknown) => {
      deps.log.warn({ err: error }, 'status lease not renewed');
      return false;
    });
    if (stopped) return;
    if (held && keeping === undefined) {
      standingBy = false;
      keeping = startKeeping(name, deps, clock);
    }
    if (!held && !standingBy) {
      standingBy = true;
      deps.log.info('another worker keeps the cluster status fresh');
    }
    if (!held && keeping !== undefined) {
      // Another worker holds it now (this one could not renew in time): it reads from here on.
      const was = keeping;
      keeping = undefined;
      await stopKeeping(was);
    }
  };
  const loop = () => {
    renew()
      .catch((error: unknown) => deps.log.warn({ err: error }, 'cluster status keeping failed'))
      .finally(() => {
        if (!stopped) cancel = clock.later(loop, timing.renewMs);
      });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      cancel?.();
      const was = keeping;
      keeping = undefined;
      // Watches end at once; a read under way may finish, and the lease goes for another worker
      // to take at once, unless Redis is gone: then it lapses.
      await withTimeout(
        (was === undefined ? Promise.resolve() : stopKeeping(was)).then(() => lease.release()),
        STOP_WAIT_MS,
        'status keeping did not stop in time',
      ).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'cluster status not stopped cleanly'),
      );
    },
  };
}

function startKeeping(name: string, deps: StatusDeps, clock: Clock): Keeping {
  deps.log.info('keeping the cluster status fresh');
  const reads = paceReads(
    new RefreshPacer(deps.pace ?? STATUS_PACE),
    () => writeSnapshot(name, deps),
    clock,
  );
  let cluster: Cluster;
  try {
    cluster = deps.clusters.get(name);
  } catch {
    // The reads record why the cluster cannot be reached; there is nothing to watch.
    return { reads, watches: [] };
  }
  const watches = STATUS_SOURCES.map((source) =>
    keepWatching(cluster, source, () => reads.changed(), {
      log: deps.log,
      clock,
      ...(deps.watchSeconds === undefined ? {} : { watchSeconds: deps.watchSeconds }),
    }),
  );
  return { reads, watches };
}

async function stopKeeping(keeping: Keeping): Promise<void> {
  await Promise.all([keeping.reads.stop(), ...keeping.watches.map((w) => w.stop())]);
}

/** Reads the cluster's health and writes it as its snapshot, or why it could not be read. */
async function writeSnapshot(name: string, deps: StatusDeps): Promise<void> {
  const at = new Date().toISOString();
  try {
    const health = await readClusterHealth(deps.clusters.get(name));
    await deps.store.write({ cluster: name, at, health });
  } catch (error) {
    await deps.store
      .write({ cluster: name, at, error: redactText((error as Error).message) })
      .catch((failure: unknown) => deps.log.warn({ err: failure }, 'cluster status not written'));
  }
}
