import type { Verdict } from '../approvals/decide.ts';
import type { ProposalStore } from '../approvals/proposal-store.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { InboundHandlers, InputOutcome } from '../chat/inbound.ts';
import type { Autonomy, Binding, Identity } from '../config/policy-schema.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import type { SuspendSwitch } from '../policy/suspend.ts';
import type { WorkflowFiles } from '../workflows/load-files.ts';
import type { RunStore } from '../workflows/run-store.ts';
import type { IncidentSources } from './incident-routes.ts';
import type { StatusStore } from './status-store.ts';
import type { WebAccess } from './web-access.ts';

/** What the dashboard's routes read and act through; each route group takes the part it needs. */
export type DashboardDeps = {
  access: WebAccess;
  proposals: ProposalStore;
  audit: AuditLog;
  status: StatusStore;
  workflows: Pick<WorkflowFiles, 'markdown' | 'yaml'>;
  /** Workflow runs as the engine keeps them, for the newest with their steps. */
  runs: Pick<RunStore, 'recent'>;
  handlers: InboundHandlers;
  decide: (
    click: Parameters<InboundHandlers['click']>[0],
    verdict: Verdict,
  ) => Promise<InputOutcome>;
  autonomy: Autonomy;
  /** To show each person only the cards they may decide, and their channels' history and status. */
  bindings: readonly Binding[];
  /** A person's accounts across platforms: an approver named by any of them is the person. */
  people: readonly Identity[];
  allowedHosts: readonly string[];
  /** The switch that stops every write; approvers may turn it on and off from here. */
  suspension: SuspendSwitch;
  /** Incidents, their figures, alerts per hour and spend per day, for the Incidents view. */
  incidents: IncidentSources;
  /** 👍 / 👎 given on answers and reports, listed and exported as eval cases. */
  feedback: Pick<FeedbackStore, 'cases'>;
};
