import { z } from 'zod';
import { HttpError } from '../http/http-error.ts';
import type { Route } from '../http/router.ts';
import { authorise } from '../policy/authorise.ts';
import { formatIssues } from '../shared/format-issues.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { readJsonPost, signedInPerson } from './dashboard-request.ts';

const Toggle = z.strictObject({
  suspend: z.boolean(),
  reason: z.string().trim().max(500).default(''),
});

/** The suspend switch: anyone signed in sees it, an approver of any channel turns it. */
export function suspendRoutes(
  deps: Pick<DashboardDeps, 'access' | 'suspension' | 'bindings' | 'people'>,
): Route[] {
  // By any of the person's ids, as every approver check counts them (a web session has no groups).
  const mayToggle = (who: string) => authorise.suspend({ person: { id: who } }, deps);
  return [
    {
      method: 'GET',
      path: '/dashboard/api/suspend',
      async handler({ req }) {
        const who = await signedInPerson(deps.access, req);
        return {
          status: 200,
          body: {
            suspended: (await deps.suspension.state()) ?? null,
            mayToggle: mayToggle(who).allowed,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/suspend',
      async handler({ req }) {
        const body = await readJsonPost(req);
        const who = await signedInPerson(deps.access, req);
        const parsed = Toggle.safeParse(body);
        if (!parsed.success)
          throw new HttpError(
            400,
            `invalid switch: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        const allowed = mayToggle(who);
        if (!allowed.allowed) throw new HttpError(403, allowed.reason);
        if (parsed.data.suspend) {
          const { changed, suspension } = await deps.suspension.suspend(who, parsed.data.reason);
          return { status: 200, body: { suspended: suspension, changed } };
        }
        const { changed } = await deps.suspension.resume(who);
        return { status: 200, body: { suspended: null, changed } };
      },
    },
  ];
}
