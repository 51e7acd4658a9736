import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Verdict } from '../approvals/decide.ts';
import type { ProposalStore } from '../approvals/proposal-store.ts';
import { renderCard } from '../approvals/render-card.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { InboundHandlers, InputOutcome } from '../chat/inbound.ts';
import type { ChatMessageInput } from '../chat/message.ts';
import { redactMessage } from '../chat/redact-message.ts';
import type { Autonomy, Binding, Identity } from '../config/policy-schema.ts';
import { HttpError } from '../http/http-error.ts';
import { readJson } from '../http/read-body.ts';
import type { Handler, Route } from '../http/router.ts';
import { onlyAllowedHosts, staticRoutes } from '../http/static-pages.ts';
import { bindingFor, listsApprover } from '../policy/bindings.ts';
import type { SuspendSwitch } from '../policy/suspend.ts';
import { tierOf } from '../policy/tiers.ts';
import { ChannelRef } from '../shared/channel.ts';
import { formatIssues } from '../shared/format-issues.ts';
import type { Workflows } from '../workflows/markdown.ts';
import { scopeOf } from './person-scope.ts';
import type { StatusStore } from './status-store.ts';
import { statusView } from './status-view.ts';
import { clientAddress, type WebAccess } from './web-access.ts';

/**
 * The dashboard at /dashboard: Status (each cluster as a worker last read it), Pending (the cards
 * waiting for a decision, with the same buttons), History (the audit trail, filtered by agent,
 * channel and outcome) and Workflows (the list, and a manual run into a channel). Every API call
 * needs a signed-in person (or the loopback demo). Pending shows, and the dashboard decides, only
 * the cards whose channel lists the person as an approver, checked again like any click; History
 * and Status show only the person's channels, their clusters and, in Status, the namespaces those
 * channels are bound to (`scopeOf`). Cards and status pass chat's last redaction. Status shows the
 * suspend switch, which an approver of any channel may turn on or off.
 */
export type DashboardDeps = {
  access: WebAccess;
  proposals: ProposalStore;
  audit: AuditLog;
  status: StatusStore;
  workflows: Workflows;
  handlers: InboundHandlers;
  decide: (
    click: Parameters<InboundHandlers['click']>[0],
    verdict: Verdict,
  ) => Promise<InputOutcome>;
  autonomy: Autonomy;
  /** To show each person only the cards they may decide, and their channels' history and status. */
  bindings: readonly Binding[];
  /** A person's accounts across platforms: an approver named by any of them is the person. */
  people: readonly Identity[];
  allowedHosts: readonly string[];
  /** The switch that stops every write; approvers may turn it on and off from here. */
  suspension: SuspendSwitch;
};

const STATIC_DIR = new URL('./static/', import.meta.url);
const Name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'must be a lower-case name');
const Login = z.object({ name: Name, token: z.string().min(1).max(500) });
const Toggle = z.strictObject({
  suspend: z.boolean(),
  reason: z.string().trim().max(500).default(''),
});
const RunWorkflow = z.object({
  channel: ChannelRef,
  inputs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/), z.string().max(200))
    .default({}),
});

export function dashboardRoutes(deps: DashboardDeps): Route[] {
  const person = async (req: IncomingMessage): Promise<string> => {
    const typed = req.headers['x-coxswain-name'];
    const access = await deps.access.of(
      req,
      typeof typed === 'string' && Name.safeParse(typed).success ? typed : undefined,
    );
    if (!access.ok) throw new HttpError(access.status, access.reason);
    return access.person;
  };
  const json = async (req: IncomingMessage, limit = 16 * 1024): Promise<unknown> => {
    // A JSON content type keeps other sites' plain form posts out (they cannot send one).
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      throw new HttpError(415, 'content-type must be application/json');
    return readJson(req, limit);
  };
  // By any of the person's ids, as every approver check counts them (a web session has no groups).
  const approverSomewhere = (who: string) =>
    deps.bindings.some((b) => listsApprover(b, { id: who }, deps.people));
  const routes: Route[] = [
    ...staticRoutes(STATIC_DIR, {
      '/dashboard': 'dashboard.html',
      '/dashboard.js': 'dashboard.js',
      '/dashboard.css': 'dashboard.css',
    }),
    {
      method: 'POST',
      path: '/dashboard/login',
      async handler({ req }) {
        const parsed = Login.safeParse(await json(req));
        if (!parsed.success)
          throw new HttpError(
            400,
            `invalid sign-in: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        if (!deps.access.signIn)
          throw new HttpError(409, 'this dashboard has no sign-in: DASHBOARD_TOKENS is not set');
        const login = await deps.access.login(
          parsed.data.name,
          parsed.data.token,
          clientAddress(req),
        );
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
        await json(req, 1024);
        return {
          status: 200,
          body: { signedOut: true },
          headers: { 'set-cookie': await deps.access.logout(req) },
        };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/me',
      async handler({ req }) {
        return { status: 200, body: { person: await person(req), signIn: deps.access.signIn } };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/status',
      async handler({ req }) {
        const { namespaces } = scopeOf(await person(req), deps.bindings, deps.people);
        const snapshots = await deps.status.read();
        return {
          status: 200,
          body: {
            clusters: snapshots.flatMap((s) => {
              const globs = namespaces.get(s.cluster);
              return globs === undefined ? [] : [statusView(s, globs)];
            }),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/suspend',
      async handler({ req }) {
        const who = await person(req);
        return {
          status: 200,
          body: {
            suspended: (await deps.suspension.state()) ?? null,
            mayToggle: approverSomewhere(who),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/suspend',
      async handler({ req }) {
        const body = await json(req);
        const who = await person(req);
        const parsed = Toggle.safeParse(body);
        if (!parsed.success)
          throw new HttpError(
            400,
            `invalid switch: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        if (!approverSomewhere(who))
          throw new HttpError(403, 'only an approver of some channel may suspend or resume writes');
        if (parsed.data.suspend) {
          const { changed, suspension } = await deps.suspension.suspend(who, parsed.data.reason);
          return { status: 200, body: { suspended: suspension, changed } };
        }
        const { changed } = await deps.suspension.resume(who);
        return { status: 200, body: { suspended: null, changed } };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/pending',
      async handler({ req }) {
        const who = await person(req);
        const records = await Promise.all(
          (await deps.proposals.pending()).map((id) => deps.proposals.record(id)),
        );
        const cards = records.flatMap((r) =>
          r === undefined ||
          r.state !== 'pending' ||
          r.origin === undefined ||
          !listsApprover(bindingFor(r.origin.channel, deps.bindings), { id: who }, deps.people)
            ? []
            : [
                {
                  id: r.id,
                  channel: r.origin.channel,
                  createdAt: r.createdAt,
                  // The same last redaction as the outbox gives every card it posts to chat.
                  card: redactMessage(
                    renderCard(
                      r,
                      tierOf({ verb: r.action.verb, kind: r.action.target.kind }, deps.autonomy),
                    ),
                  ),
                },
              ],
        );
        cards.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        return { status: 200, body: { pending: cards } };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/proposals/:id/:verdict',
      async handler({ req, params }) {
        const who = await person(req);
        // JSON only: a plain form post from another site cannot send it.
        await json(req);
        if (!/^[A-Za-z0-9_-]{6,64}$/.test(params.id ?? ''))
          throw new HttpError(404, 'no such proposal');
        const verdict =
          params.verdict === 'approve' || params.verdict === 'reject' ? params.verdict : undefined;
        if (verdict === undefined) throw new HttpError(404, 'a proposal is approved or rejected');
        const record = await deps.proposals.record(params.id ?? '');
        if (record?.origin === undefined) throw new HttpError(404, 'no such proposal');
        const binding = bindingFor(record.origin.channel, deps.bindings);
        if (!listsApprover(binding, { id: who }, deps.people))
          throw new HttpError(403, 'you are not an approver for the channel of this proposal');
        // A click from a signed-in session: checked against the card's channel like any other.
        const outcome = await deps.decide(
          {
            channel: record.origin.channel,
            requester: who,
            action: verdict,
            value: record.id,
            clickId: `dashboard.${randomUUID()}`,
          },
          verdict,
        );
        if (outcome.kind === 'reply')
          return { status: 409, body: { error: messageText(outcome.message) } };
        return { status: 202, body: { decided: verdict } };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/history',
      async handler({ req, url }) {
        const { channels } = scopeOf(await person(req), deps.bindings, deps.people);
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
    {
      method: 'GET',
      path: '/dashboard/api/workflows',
      async handler({ req }) {
        await person(req);
        const list = [...deps.workflows.values()].map((w) => ({
          name: w.name,
          description: w.description ?? '',
          inputs: w.inputs,
          file: w.file,
        }));
        return { status: 200, body: { workflows: list } };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/workflows/:name/run',
      async handler({ req, params }) {
        const who = await person(req);
        const parsed = RunWorkflow.safeParse(await json(req));
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
  return routes.map((route) => ({
    ...route,
    handler: onlyAllowedHosts(route.handler as Handler, deps.allowedHosts),
  }));
}

function messageText(message: ChatMessageInput): string {
  return [message.headline, message.text].filter(Boolean).join(': ');
}
