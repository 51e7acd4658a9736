import type { AuditEntry } from '../audit/audit-log.ts';
import { channelPlatform } from '../shared/channel.ts';
import { isGitChange, isKubeAction } from '../tools/proposed-action.ts';
import type { ProposalRecord } from './proposal-store.ts';

/** A proposal's audit entry for an event in its life. */
export function auditEntry(
  record: ProposalRecord,
  event: AuditEntry['event'],
  now: Date,
  outcome: string,
): AuditEntry {
  const t = record.action.target;
  const result = record.result;
  return {
    at: now.toISOString(),
    event,
    proposal: record.id,
    agent: record.agent,
    action: { type: record.action.type, summary: record.action.summary },
    inputs: {
      cluster: t.cluster,
      ...(t.namespace === undefined ? {} : { namespace: t.namespace }),
      kind: t.kind,
      name: t.name,
    },
    ...versionBefore(record),
    ...(result?.resourceVersionAfter === undefined
      ? {}
      : { resourceVersionAfter: result.resourceVersionAfter }),
    ...(result?.writtenAs === undefined ? {} : { writtenAs: result.writtenAs }),
    outcome: outcome.slice(0, 1_000),
    ...(record.decidedBy === undefined
      ? {}
      : {
          approval:
            record.origin?.workflow?.auto === true && record.decidedBy.startsWith('workflow:')
              ? ('auto' as const)
              : ('user-confirmed' as const),
          approver: record.decidedBy,
        }),
    ...(record.origin === undefined
      ? {}
      : { platform: channelPlatform(record.origin.channel), channel: record.origin.channel }),
    run: record.runId,
  };
}

/** What the change started from: the object's resourceVersion, or the pull request's base commit. */
function versionBefore(record: ProposalRecord): { resourceVersionBefore?: string } {
  const action = record.action;
  const before =
    record.result?.resourceVersionBefore ??
    (isKubeAction(action)
      ? action.target.resourceVersion
      : isGitChange(action)
        ? action.baseCommit
        : undefined);
  return before === undefined ? {} : { resourceVersionBefore: before };
}
