import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpError } from '../http/http-error.ts';
import type { Route } from '../http/router.ts';
import { ChannelRef } from '../shared/channel.ts';
import { formatIssues } from '../shared/format-issues.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { messageText, readJsonPost, signedInPerson } from './dashboard-request.ts';

const RunWorkflow = z.object({
  channel: ChannelRef,
  inputs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/), z.string().max(200))
    .default({}),
});

/** The workflows, and a manual run of one into a web console channel. */
export function workflowRoutes(
  deps: Pick<DashboardDeps, 'access' | 'workflows' | 'handlers'>,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/workflows',
      async handler({ req }) {
        await signedInPerson(deps.access, req);
        const markdown = [...deps.workflows.markdown.values()].map((w) => ({
          name: w.name,
          description: w.description ?? '',
          inputs: w.inputs,
          trigger: ['manual'],
          file: w.file,
        }));
        const yaml = [...deps.workflows.yaml.values()].map((w) => ({
          name: w.name,
          description: w.description ?? '',
          inputs: Object.keys(w.inputs),
          trigger: w.trigger.map((t) => t.kind),
          file: w.file,
        }));
        const list = [...markdown, ...yaml].sort((a, b) => a.name.localeCompare(b.name));
        return { status: 200, body: { workflows: list } };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/workflows/:name/run',
      async handler({ req, params }) {
        const who = await signedInPerson(deps.access, req);
        const parsed = RunWorkflow.safeParse(await readJsonPost(req));
        // A web person speaks for themselves in web channels only; Slack and Discord have theirs.
        if (parsed.success && !parsed.data.channel.startsWith('web:'))
          throw new HttpError(
            400,
            'a workflow is run from here into a web console channel (web:…)',
          );
        if (!parsed.success)
          throw new HttpError(400, `invalid run: ${formatIssues(parsed.error.issues).join('; ')}`);
        const pairs = Object.entries(parsed.data.inputs).map(
          ([k, v]) => `${k}=${v.replace(/\s+/g, '_')}`,
        );
        // The same path as `workflow NAME k=v` typed in the channel, by the signed-in person.
        const outcome = await deps.handlers.input({
          channel: parsed.data.channel,
          requester: who,
          text: ['workflow', params.name ?? '', ...pairs].join(' '),
          messageId: `dashboard.${randomUUID()}`,
          addressed: true,
        });
        if (outcome.kind === 'reply')
          return { status: 409, body: { error: messageText(outcome.message) } };
        return {
          status: 202,
          body: { queued: outcome.kind === 'queued' ? outcome.runId : undefined },
        };
      },
    },
  ];
}
