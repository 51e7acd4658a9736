import type { AlertGroups } from '../alerts/alert-groups.ts';
import type { Incident, IncidentStats, Incidents } from '../alerts/incidents.ts';
import type { Route } from '../http/router.ts';
import { coversAlert, globMatches } from '../policy/bindings.ts';
import type { ChannelRef } from '../shared/channel.ts';
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
 * The Incidents view: the person's latest incidents (those shown in their channels) with their
 * reports, the figures of the alert names in the clusters and namespaces of their bindings (MTTR,
 * time to diagnose, automation rate), and the deployment's alerts per hour and model spend per
 * day, which name nothing.
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
        const clusters = [...new Set(deps.bindings.flatMap((binding) => binding.clusters))];
        const sources = deps.incidents;
        const now = new Date();
        const [recent, stats, alertsPerHour, spendPerDay] = await Promise.all([
          sources.incidents.recent(RECENT, (incident) =>
            incident.channels.some((c) => scope.channels.has(c)),
          ),
          sources.incidents.stats(),
          sources.groups.perHour(HOURS, now),
          sources.spend.perDay(DAYS, now),
        ]);
        return {
          status: 200,
          body: {
            incidents: recent.map(({ incident, report }) =>
              // What was read and done is shown only through a channel whose binding covers it.
              incident.channels.some(
                (c) =>
                  scope.channels.has(c) && coversAlert(c as ChannelRef, incident, deps.bindings),
              )
                ? { ...summaryOf(incident), report }
                : { ...summaryOf(incident), cause: undefined },
            ),
            figures: stats.filter((s) => inScope(s, scope, clusters)).map(figuresOf),
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

/**
 * An alert name's figures are shown to whoever is bound to its namespace in its cluster. Alerts
 * that name no cluster may come from any the bindings name, so only a person bound to the
 * namespace in every one of them sees those.
 */
function inScope(stats: IncidentStats, scope: PersonScope, clusters: readonly string[]): boolean {
  const boundIn = (cluster: string) =>
    (scope.namespaces.get(cluster) ?? []).some((glob) => globMatches(glob, stats.namespace));
  if (stats.cluster !== '') return boundIn(stats.cluster);
  return clusters.length > 0 && clusters.every(boundIn);
}

function figuresOf(s: IncidentStats) {
  return {
    alertname: s.alertname,
    namespace: s.namespace,
    cluster: s.cluster,
    resolved: s.resolved,
    mttrSeconds: s.resolved === 0 ? undefined : s.resolveSeconds / s.resolved,
    mttdSeconds: s.diagnosed === 0 ? undefined : s.diagnoseSeconds / s.diagnosed,
    automated: s.automated,
    automationRate: s.resolved === 0 ? undefined : s.automated / s.resolved,
  };
}
