import type { Config, LeaderLease } from '../config/index.ts';
import { CoxswainError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { LeaderElection } from '../runtime/leader-election.ts';
import type { Bot } from './start-bot.ts';

/**
 * Who holds the bot's chat connections and outbox. Without LEADER_LEASE this process does, from
 * the start; with it, the replica that holds the Lease does, and the others serve HTTP only.
 */
export type Leadership = {
  /** Connects at once without election; with it, stands for election and returns. */
  start(): Promise<void>;
  /** Whether this process holds them now; undefined without election (it always does). */
  leading: (() => boolean) | undefined;
  /** Lets go and, with election, releases the Lease so that a standby takes over at once. */
  stop(): Promise<void>;
};

export function leadershipOf(config: Config, bot: Bot, log: Logger, metrics: Metrics): Leadership {
  const lease = config.leader;
  if (lease === undefined) {
    return {
      async start() {
        await bot.connect();
        metrics.leader.set(1);
      },
      leading: undefined,
      stop: async () => undefined,
    };
  }
  const electionLog = log.child({
    component: 'leader-election',
    lease: `${lease.namespace}/${lease.name}`,
  });
  let election: LeaderElection | undefined;
  metrics.leader.set(0);
  return {
    async start() {
      election = new LeaderElection({
        store: await leaseStore(lease),
        identity: lease.identity,
        durationSeconds: lease.durationSeconds,
        log: electionLog,
        async lead() {
          metrics.leader.set(1);
          await bot.connect();
          electionLog.info('holding the chat connections and the outbox');
        },
        async standDown() {
          metrics.leader.set(0);
          await bot.disconnect();
          electionLog.info('chat connections and outbox let go');
        },
      });
      election.start();
    },
    leading: () => election?.leading ?? false,
    async stop() {
      await election?.stop();
    },
  };
}

/** The Kubernetes client is loaded here, only when there is a Lease to elect on. */
async function leaseStore(lease: LeaderLease) {
  const { kubernetesLeaseStore } = await import('../runtime/kubernetes-lease.ts');
  try {
    // One API call may take a third of the duration: the holder then still has time to retry.
    return kubernetesLeaseStore(
      lease,
      { inCluster: lease.inCluster },
      Math.max(1, lease.durationSeconds / 3),
    );
  } catch (error) {
    const reason = (error as Error).message.replace(/^cluster leader-lease: /, '');
    throw new CoxswainError(
      'kubernetes_config',
      `LEADER_LEASE ${lease.namespace}/${lease.name}: ${reason}`,
      { cause: error },
    );
  }
}
