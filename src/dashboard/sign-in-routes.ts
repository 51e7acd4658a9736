import { z } from 'zod';
import { HttpError } from '../http/http-error.ts';
import type { Route } from '../http/router.ts';
import { formatIssues } from '../shared/format-issues.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { Name, readJsonPost, signedInPerson } from './dashboard-request.ts';
import { clientAddress } from './web-access.ts';

const Login = z.object({ name: Name, token: z.string().min(1).max(500) });

/** Signing in with a name and token, signing out, and who the session is. */
export function signInRoutes({ access }: Pick<DashboardDeps, 'access'>): Route[] {
  return [
    {
      method: 'POST',
      path: '/dashboard/login',
      async handler({ req }) {
        const parsed = Login.safeParse(await readJsonPost(req));
        if (!parsed.success)
          throw new HttpError(
            400,
            `invalid sign-in: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        if (!access.signIn)
          throw new HttpError(409, 'this dashboard has no sign-in: DASHBOARD_TOKENS is not set');
        const login = await access.login(parsed.data.name, parsed.data.token, clientAddress(req));
        if (!login.ok && login.retryAfter !== undefined)
          throw new HttpError(
            429,
            `too many failed sign-ins for this name or from this address; try again in ${login.retryAfter} s`,
            { headers: { 'retry-after': String(login.retryAfter) } },
          );
        if (!login.ok) throw new HttpError(401, 'that name and token do not match');
        return {
          status: 200,
          body: { person: `web:${parsed.data.name}` },
          headers: { 'set-cookie': login.cookie },
        };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/logout',
      async handler({ req }) {
        // JSON like every other post: another site's form cannot sign a person out.
        await readJsonPost(req, 1024);
        return {
          status: 200,
          body: { signedOut: true },
          headers: { 'set-cookie': await access.logout(req) },
        };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/me',
      async handler({ req }) {
        return {
          status: 200,
          body: { person: await signedInPerson(access, req), signIn: access.signIn },
        };
      },
    },
  ];
}
