import { randomUUID } from 'node:crypto';
import { renderCard } from '../approvals/render-card.ts';
import { redactMessage } from '../chat/redact-message.ts';
import { HttpError } from '../http/http-error.ts';
import type { Route } from '../http/router.ts';
import { authorise } from '../policy/authorise.ts';
import { tierOf } from '../policy/tiers.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { messageText, readJsonPost, signedInPerson } from './dashboard-request.ts';

type ProposalDeps = Pick<
  DashboardDeps,
  'access' | 'proposals' | 'decide' | 'autonomy' | 'bindings' | 'people'
>;

/**
 * Pending shows, and the dashboard decides, only the cards whose channel lists the person as an
 * approver, checked again like any click.
 */
export function proposalRoutes(deps: ProposalDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/api/pending',
      async handler({ req }) {
        const who = await signedInPerson(deps.access, req);
        return { status: 200, body: { pending: await pendingCards(who, deps) } };
      },
    },
    {
      method: 'POST',
      path: '/dashboard/api/proposals/:id/:verdict',
      async handler({ req, params }) {
        const who = await signedInPerson(deps.access, req);
        // JSON only: a plain form post from another site cannot send it.
        await readJsonPost(req);
        if (!/^[A-Za-z0-9_-]{6,64}$/.test(params.id ?? ''))
          throw new HttpError(404, 'no such proposal');
        const verdict =
          params.verdict === 'approve' || params.verdict === 'reject' ? params.verdict : undefined;
        if (verdict === undefined) throw new HttpError(404, 'a proposal is approved or rejected');
        const record = await deps.proposals.record(params.id ?? '');
        if (record?.origin === undefined) throw new HttpError(404, 'no such proposal');
        const approver = authorise.approver(
          { channel: record.origin.channel, person: { id: who } },
          deps,
        );
        if (!approver.allowed) throw new HttpError(403, approver.reason);
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
  ];
}

/** The pending cards `who` may decide, oldest first, each redacted as chat would post it. */
async function pendingCards(who: string, deps: ProposalDeps) {
  const records = await Promise.all(
    (await deps.proposals.pending()).map((id) => deps.proposals.record(id)),
  );
  const cards = records.flatMap((r) =>
    r === undefined ||
    r.state !== 'pending' ||
    r.origin === undefined ||
    !authorise.approver({ channel: r.origin.channel, person: { id: who } }, deps).allowed
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
  return cards;
}
