import type { AuditEntry } from '../audit/audit-log.ts';
import { channelPlatform } from '../shared/channel.ts';
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
    resourceVersionBefore: result?.resourceVersionBefore ?? t.resourceVersion,
    ...(result?.resourceVersionAfter === undefined
      ? {}
      : { resourceVersionAfter: result.resourceVersionAfter }),
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
