import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { signedInPerson } from './dashboard-request.ts';
import { scopeOf } from './person-scope.ts';
import { mayShowRun, runSummary } from './run-summary.ts';

/** Runs read from the store before the person's are picked; the store keeps 500. */
const READ = 200;
const SHOWN = 50;

/** The newest workflow runs the person may see, each step with its state and a line about it. */
export function workflowRunRoutes(
  deps: Pick<DashboardDeps, 'access' | 'runs' | 'bindings' | 'people'>,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/workflow-runs',
      async handler({ req }) {
        const who = await signedInPerson(deps.access, req);
        const scope = scopeOf(who, deps.bindings, deps.people);
        const runs = (await deps.runs.recent(READ)).filter((view) => mayShowRun(view, scope));
        return { status: 200, body: { runs: runs.slice(0, SHOWN).map(runSummary) } };
      },
    },
  ];
}
