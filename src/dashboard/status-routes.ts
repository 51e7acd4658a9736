import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { signedInPerson } from './dashboard-request.ts';
import { scopeOf } from './person-scope.ts';
import { statusView } from './status-view.ts';

/**
 * Each cluster as a worker last read it, only the person's clusters and bound namespaces, and
 * the bot's time now, so that the page says how old each reading is whatever its own clock says.
 */
export function statusRoutes(
  deps: Pick<DashboardDeps, 'access' | 'status' | 'bindings' | 'people'>,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/status',
      async handler({ req }) {
        const who = await signedInPerson(deps.access, req);
        const { namespaces } = scopeOf(who, deps.bindings, deps.people);
        const snapshots = await deps.status.read();
        return {
          status: 200,
          body: {
            now: new Date().toISOString(),
            clusters: snapshots.flatMap((s) => {
              const globs = namespaces.get(s.cluster);
              return globs === undefined ? [] : [statusView(s, globs)];
            }),
          },
        };
      },
    },
  ];
}
