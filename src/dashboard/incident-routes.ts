import type { AlertGroups } from '../alerts/alert-groups.ts';
import type { Incident, IncidentStats, Incidents } from '../alerts/incidents.ts';
import type { Route } from '../http/router.ts';
import { globMatches } from '../policy/bindings.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { signedInPerson } from './dashboard-request.ts';
import { type PersonScope, scopeOf } from './person-scope.ts';

/** What the Incidents view reads: incidents and their figures, alerts per hour, spend per day. */
export type IncidentSources = {
  incidents: Pick<Incidents, 'recent' | 'stats'>;
  groups: Pick<AlertGroups, 'perHour'>;
  spend: { perDay(days: number, now?: Date): Promise<{ day: string; usd: number }[]> };
};

const RECENT = 200;
const HOURS = 48;
const DAYS = 30;

/**
 * The Incidents view: the person's incidents (those shown in their channels) with their reports,
 * the figures of the alert names and namespaces of their bindings (MTTR, time to diagnose,
 * automation rate), and the deployment's alerts per hour and model spend per day, which name
 * nothing.
 */
export function incidentRoutes(
  deps: Pick<DashboardDeps, 'access' | 'bindings' | 'people'> & { incidents: IncidentSources },
): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/incidents',
      async handler({ req }) {
        const who = await signedInPerson(deps.access, req);
        const scope = scopeOf(who, deps.bindings, deps.people);
        const sources = deps.incidents;
        const now = new Date();
        const [recent, stats, alertsPerHour, spendPerDay] = await Promise.all([
          sources.incidents.recent(RECENT),
          sources.incidents.stats(),
          sources.groups.perHour(HOURS, now),
          sources.spend.perDay(DAYS, now),
        ]);
        return {
          status: 200,
          body: {
            incidents: recent
              .filter(({ incident }) => incident.channels.some((c) => scope.channels.has(c)))
              .map(({ incident, report }) => ({ ...summaryOf(incident), report })),
            figures: stats.filter((s) => inScope(s, scope)).map(figuresOf),
            alertsPerHour,
            spendPerDay,
          },
        };
      },
    },
  ];
}

function summaryOf(incident: Incident) {
  return {
    id: incident.id,
    alertname: incident.alertname,
    namespace: incident.namespace,
    cluster: incident.cluster,
    severity: incident.severity,
    firedAt: incident.firedAt,
    resolvedAt: incident.resolvedAt,
    state: incident.resolvedAt === undefined ? 'firing' : 'resolved',
    cause: incident.diagnosis?.cause,
  };
}

/** An alert name's figures are shown to whoever is bound to its namespace in any cluster. */
function inScope(stats: IncidentStats, scope: PersonScope): boolean {
  for (const globs of scope.namespaces.values())
    if (globs.some((glob) => globMatches(glob, stats.namespace))) return true;
  return false;
}

function figuresOf(s: IncidentStats) {
  return {
    alertname: s.alertname,
    namespace: s.namespace,
    resolved: s.resolved,
    mttrSeconds: s.resolved === 0 ? undefined : s.resolveSeconds / s.resolved,
    mttdSeconds: s.diagnosed === 0 ? undefined : s.diagnoseSeconds / s.diagnosed,
    automated: s.automated,
    automationRate: s.resolved === 0 ? undefined : s.automated / s.resolved,
  };
}
