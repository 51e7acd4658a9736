import type { FeedbackCase } from '../feedback/feedback-store.ts';
import { Rating } from '../feedback/feedback-value.ts';
import { HttpError } from '../http/http-error.ts';
import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { signedInPerson } from './dashboard-request.ts';
import { scopeOf } from './person-scope.ts';

/** Cases the Feedback view lists; the export has every case the store keeps. */
const SHOWN = 200;

/**
 * Feedback on answers and reports, of the person's channels as History has them (`scopeOf`):
 * newest first as JSON for the Feedback view, and as eval cases in JSON Lines, one per person
 * and answer, for `npm run eval` or any other harness. `?rating=up|down` keeps one kind.
 */
export function feedbackRoutes(
  deps: Pick<DashboardDeps, 'access' | 'feedback' | 'bindings' | 'people'>,
): Route[] {
  const casesFor = async (req: Parameters<typeof signedInPerson>[1], url: URL) => {
    const who = await signedInPerson(deps.access, req);
    const rating = ratingOf(url);
    const { channels } = scopeOf(who, deps.bindings, deps.people);
    return (await deps.feedback.cases()).filter(
      (c) => channels.has(c.channel) && (rating === undefined || c.rating === rating),
    );
  };
  return [
    {
      method: 'GET',
      path: '/dashboard/api/feedback',
      async handler({ req, url }) {
        const cases = await casesFor(req, url);
        return { status: 200, body: { feedback: cases.slice(0, SHOWN), total: cases.length } };
      },
    },
    {
      method: 'GET',
      path: '/dashboard/api/feedback.jsonl',
      async handler({ req, url }) {
        const cases = await casesFor(req, url);
        return {
          status: 200,
          body: cases.map((c) => `${JSON.stringify(evalCase(c))}\n`).join(''),
          headers: {
            'content-type': 'application/x-ndjson; charset=utf-8',
            'content-disposition': 'attachment; filename="coxswain-feedback.jsonl"',
          },
        };
      },
    },
  ];
}

function ratingOf(url: URL): Rating | undefined {
  const raw = url.searchParams.get('rating');
  if (raw === null || raw === '') return undefined;
  const rating = Rating.safeParse(raw);
  if (!rating.success) throw new HttpError(400, 'rating must be up or down');
  return rating.data;
}

/** One line of the export, its fields in a fixed order. */
function evalCase(c: FeedbackCase) {
  return {
    runId: c.runId,
    kind: c.kind,
    question: c.question,
    answer: c.answer,
    rating: c.rating,
    by: c.by,
    at: c.at,
    channel: c.channel,
    ...(c.thread === undefined ? {} : { thread: c.thread }),
    specialists: c.specialists,
    postedAt: c.postedAt,
  };
}
