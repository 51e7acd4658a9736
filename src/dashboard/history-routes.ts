import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { signedInPerson } from './dashboard-request.ts';
import { scopeOf } from './person-scope.ts';

/** The audit trail of the person's channels, filtered by agent, channel and outcome. */
export function historyRoutes(
  deps: Pick<DashboardDeps, 'access' | 'audit' | 'bindings' | 'people'>,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/history',
      async handler({ req, url }) {
        const who = await signedInPerson(deps.access, req);
        const { channels } = scopeOf(who, deps.bindings, deps.people);
        const agent = url.searchParams.get('agent') || undefined;
        const channel = url.searchParams.get('channel') || undefined;
        const outcome = url.searchParams.get('outcome') || undefined;
        const entries = (await deps.audit.latest(1_000)).filter(
          (e) =>
            // The suspend switch is everyone's: Status shows it to anyone signed in.
            (e.channel === undefined
              ? e.event === 'suspended' || e.event === 'resumed'
              : channels.has(e.channel)) &&
            (agent === undefined || e.agent === agent) &&
            (channel === undefined || e.channel === channel) &&
            (outcome === undefined || e.event === outcome),
        );
        return { status: 200, body: { entries: entries.slice(0, 200) } };
      },
    },
  ];
}
