import { Counter, Gauge, type Registry } from 'prom-client';
import type { IncidentStats, Incidents } from './incidents.ts';

/**
 * `coxswain_incident_*`: each alert name's, namespace's and cluster's (empty when the alerts name
 * none) resolved incidents, how long they took to diagnose, mitigate and resolve, and how many were
 * fixed through an approved Coxswain action.
 * Read from Redis at each scrape, so every bot replica exports the same deployment-wide figures:
 * scrape one (or take `max` over replicas), never `sum`.
 */
const LABELS = ['alertname', 'namespace', 'cluster'] as const;

type Figure = {
  name: string;
  help: string;
  value: (stats: IncidentStats) => number | undefined;
};

const TOTALS: readonly Figure[] = [
  {
    name: 'coxswain_incident_resolved_total',
    help: 'Incidents resolved.',
    value: (s) => s.resolved,
  },
  {
    name: 'coxswain_incident_resolve_seconds_total',
    help: 'Seconds from firing to resolved, summed over resolved incidents.',
    value: (s) => s.resolveSeconds,
  },
  {
    name: 'coxswain_incident_diagnosed_total',
    help: 'Resolved incidents that were diagnosed.',
    value: (s) => s.diagnosed,
  },
  {
    name: 'coxswain_incident_diagnose_seconds_total',
    help: 'Seconds from firing to diagnosis, summed over diagnosed incidents.',
    value: (s) => s.diagnoseSeconds,
  },
  {
    name: 'coxswain_incident_automated_total',
    help: 'Resolved incidents fixed through an approved Coxswain action that reached the cluster.',
    value: (s) => s.automated,
  },
  {
    name: 'coxswain_incident_mitigate_seconds_total',
    help: 'Seconds from firing to the first applied Coxswain action, summed over automated incidents.',
    value: (s) => s.mitigateSeconds,
  },
];

const RATIOS: readonly Figure[] = [
  {
    name: 'coxswain_incident_mttr_seconds',
    help: 'Mean time to resolve: seconds from firing to resolved, averaged over resolved incidents.',
    value: (s) => (s.resolved === 0 ? undefined : s.resolveSeconds / s.resolved),
  },
  {
    name: 'coxswain_incident_mttd_seconds',
    help: 'Mean time to diagnose, over resolved incidents that were diagnosed.',
    value: (s) => (s.diagnosed === 0 ? undefined : s.diagnoseSeconds / s.diagnosed),
  },
  {
    name: 'coxswain_incident_automation_ratio',
    help: 'Share of resolved incidents fixed through an approved Coxswain action (0 to 1).',
    value: (s) => (s.resolved === 0 ? undefined : s.automated / s.resolved),
  },
];

export function registerIncidentMetrics(registry: Registry, incidents: Incidents): void {
  // One read of the figures per scrape, shared by every metric collected in it.
  let reading: Promise<IncidentStats[]> | undefined;
  const stats = () => {
    // Figures Redis cannot give now are left out of this scrape; the process's own still go out.
    reading ??= incidents
      .stats()
      .catch(() => [])
      .finally(() => {
        setTimeout(() => {
          reading = undefined;
        }, 0);
      });
    return reading;
  };
  for (const figure of TOTALS)
    new Counter({
      name: figure.name,
      help: figure.help,
      labelNames: LABELS,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await stats()) this.inc(labelsOf(s), figure.value(s) ?? 0);
      },
    });
  for (const figure of RATIOS)
    new Gauge({
      name: figure.name,
      help: figure.help,
      labelNames: LABELS,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await stats()) {
          const value = figure.value(s);
          if (value !== undefined) this.set(labelsOf(s), value);
        }
      },
    });
}

function labelsOf(stats: IncidentStats) {
  return { alertname: stats.alertname, namespace: stats.namespace, cluster: stats.cluster };
}
