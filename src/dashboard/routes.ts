import type { Handler, Route } from '../http/router.ts';
import { onlyAllowedHosts, staticRoutes } from '../http/static-pages.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { feedbackRoutes } from './feedback-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { incidentRoutes } from './incident-routes.ts';
import { proposalRoutes } from './proposal-routes.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { statusRoutes } from './status-routes.ts';
import { suspendRoutes } from './suspend-routes.ts';
import { vendorRoutes } from './vendor-routes.ts';
import { workflowRoutes } from './workflow-routes.ts';
import { workflowRunRoutes } from './workflow-run-routes.ts';

const STATIC_DIR = new URL('./static/', import.meta.url);

/**
 * The dashboard at /dashboard: Status (each cluster as a worker last read it), Pending (the cards
 * waiting for a decision, with the same buttons), History (the audit trail, filtered by agent,
 * channel and outcome), Workflows (the list, a manual run into a channel, and the recent runs
 * with each step's state), Incidents (each incident with its report, and the charts of alerts,
 * MTTR, automation and spend) and Feedback (the 👍 / 👎 given on answers and reports, also
 * exported as eval cases in JSON Lines). Every API call needs a signed-in person (or the loopback
 * demo). Pending shows, and the dashboard decides, only the cards whose channel lists the person
 * as an approver, checked again like any click; History, Incidents, Feedback and Status show only
 * the person's channels, their clusters and, in Status, the namespaces those channels are bound
 * to (`scopeOf`); Workflows shows the runs of those channels (`mayShowRun`). Cards, status and
 * step lines pass redaction. Status shows the suspend switch, which an approver of any channel may
 * turn on or off. The Incidents charts are drawn by the chart library the bot serves itself
 * (`vendorRoutes`).
 */
export function dashboardRoutes(deps: DashboardDeps): Route[] {
  const routes: Route[] = [
    ...staticRoutes(STATIC_DIR, {
      '/dashboard': 'dashboard.html',
      '/dashboard.js': 'dashboard.js',
      '/dashboard.css': 'dashboard.css',
      '/dashboard/incidents.js': 'incidents.js',
      '/dashboard/incident-charts.js': 'incident-charts.js',
    }),
    ...vendorRoutes(),
    ...signInRoutes(deps),
    ...statusRoutes(deps),
    ...suspendRoutes(deps),
    ...proposalRoutes(deps),
    ...historyRoutes(deps),
    ...workflowRoutes(deps),
    ...workflowRunRoutes(deps),
    ...incidentRoutes(deps),
    ...feedbackRoutes(deps),
  ];
  return routes.map((route) => ({
    ...route,
    handler: onlyAllowedHosts(route.handler as Handler, deps.allowedHosts),
  }));
}
