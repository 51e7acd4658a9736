import { CoxswainError } from '../errors.ts';
import { executeGitChange, type GitChange, openedPullRequest } from '../tools/git/change.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import { alreadyApplied, verifyOutcome } from '../tools/kubernetes/actions/after-approval.ts';
import { isArgoOperation } from '../tools/kubernetes/actions/argo-operation.ts';
import { executeAction } from '../tools/kubernetes/actions/execute.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import type { MetricsContext } from '../tools/metrics/context.ts';
import {
  executeSilence,
  type SilenceAction,
  silenceInPlace,
  verifySilence,
} from '../tools/metrics/silence.ts';
import { isGitChange, isSilence } from '../tools/proposed-action.ts';
import type { ExecutionResult, ProposalRecord } from './proposal-store.ts';

/**
 * How an approved proposal's action is carried out, whatever it changes: a cluster object, a
 * pull request, or a silence. Each says whether it is in place already (a retried job looks
 * before it writes), makes the change once, and checks the outcome.
 */
export type ActionRunner = {
  inPlace(): Promise<boolean>;
  /**
   * Whether sending the write again is safe when an earlier attempt may have sent it: false for an
   * Argo CD operation, which would run a second sync once the first has left no trace.
   */
  repeatable: boolean;
  /** Makes the change; `beforeWrite` may still stop it right before anything is written. */
  apply(beforeWrite: () => Promise<void>): Promise<Applied>;
  /** What the check after the change showed, and where its result can be seen. */
  verify(
    timeoutMs: number | undefined,
  ): Promise<{ ok: boolean; text: string; link?: ExecutionResult['link'] }>;
};

type Applied = Pick<
  ExecutionResult,
  'resourceVersionBefore' | 'resourceVersionAfter' | 'link' | 'writtenAs'
> & {
  /** What was done, when the action says more than "applied". */
  done?: string;
};

export type RunnerDeps = {
  clusters: Clusters;
  /** The GitOps repository's clone; unset without a `gitops` section in the config file. */
  git?: GitRepository | undefined;
  /** Where silences are made (ALERTMANAGER_URL). */
  monitoring?: MetricsContext | undefined;
};

export function runnerFor(record: ProposalRecord, deps: RunnerDeps): ActionRunner {
  const action = record.action;
  if (isGitChange(action)) return gitRunner(action, record, deps.git);
  if (isSilence(action)) return silenceRunner(action, record, deps.monitoring);
  const cluster = deps.clusters.get(action.target.cluster);
  return {
    inPlace: () => alreadyApplied(cluster, action),
    repeatable: !isArgoOperation(action),
    async apply(beforeWrite) {
      const done = await executeAction(cluster, action, beforeWrite);
      return {
        resourceVersionBefore: done.resourceVersionBefore,
        ...(done.resourceVersionAfter === undefined
          ? {}
          : { resourceVersionAfter: done.resourceVersionAfter }),
        ...(cluster.writeAs === undefined
          ? {}
          : { writtenAs: cluster.writeAs, done: `Applied as ${cluster.writeAs}.` }),
      };
    },
    verify: (timeoutMs) => verifyOutcome(cluster, action, timeoutMs),
  };
}

function gitRunner(
  change: GitChange,
  record: ProposalRecord,
  repo: GitRepository | undefined,
): ActionRunner {
  const clone = (): GitRepository => {
    if (repo === undefined)
      throw new CoxswainError(
        'git',
        'no GitOps repository is configured on this worker (the gitops section of the config file)',
      );
    return repo;
  };
  let opened: { url: string; number: number } | undefined;
  return {
    inPlace: async () => (await openedPullRequest(clone(), change)) !== undefined,
    repeatable: true,
    async apply(beforeWrite) {
      await beforeWrite();
      const outcome = await executeGitChange(clone(), change, record.decidedBy ?? 'nobody');
      opened = { url: outcome.pullRequest.html_url, number: outcome.pullRequest.number };
      return {
        resourceVersionBefore: change.baseCommit,
        resourceVersionAfter: outcome.commit,
        done: `Pull request #${outcome.pullRequest.number} opened from ${change.branch} (commit ${outcome.commit.slice(0, 12)}).`,
        link: linkTo(outcome.pullRequest),
      };
    },
    async verify() {
      const pr =
        opened ??
        (await openedPullRequest(clone(), change).then(
          (p) => p && { url: p.html_url, number: p.number },
        ));
      if (pr === undefined)
        return { ok: false, text: `the forge shows no pull request from ${change.branch}` };
      const link = linkTo({ html_url: pr.url, number: pr.number });
      return {
        ok: true,
        text: `The forge shows pull request #${pr.number}: ${pr.url}`,
        ...(link === undefined ? {} : { link }),
      };
    },
  };
}

function linkTo(pr: { html_url: string; number: number }): ExecutionResult['link'] {
  return /^https?:\/\//.test(pr.html_url)
    ? { label: `Pull request #${pr.number}`, url: pr.html_url }
    : undefined;
}

function silenceRunner(
  action: SilenceAction,
  record: ProposalRecord,
  monitoring: MetricsContext | undefined,
): ActionRunner {
  const context = monitoring ?? { prometheusUrl: undefined, alertmanagerUrl: undefined };
  return {
    inPlace: () => silenceInPlace(context, action, record.id),
    repeatable: true,
    async apply(beforeWrite) {
      await beforeWrite();
      const done = await executeSilence(
        context,
        action,
        record.id,
        record.decidedBy ?? 'nobody',
        new Date(),
      );
      return { resourceVersionAfter: done.silenceId, done: `${done.summary}.` };
    },
    verify: () => verifySilence(context, action, record.id),
  };
}
