import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import { HttpError } from '../http/http-error.ts';
import { MIB, readSizedJson } from '../http/read-body.ts';
import type { Route } from '../http/router.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AlertInbox } from '../queue/alert-inbox.ts';
import type { RunJob } from '../queue/jobs.ts';
import { formatIssues } from '../shared/format-issues.ts';
import { boundPayload } from './bound-payload.ts';
import { alertJobId } from './job-id.ts';
import { AlertmanagerPayload } from './schema.ts';
import { challenge, isAuthorized, type WebhookAuth } from './webhook-auth.ts';

const BODY_LIMIT = MIB;

type ReceiverDeps = {
  auth: WebhookAuth;
  /** Where accepted notifications wait for a worker to make them jobs on the runs queue. */
  inbox: AlertInbox;
  /** The fail-fast producer connection `inbox` uses; checked before trying to enqueue. */
  producer: Redis;
  /** Set: 2xx only once this many replicas have the job (WAIT on `producer`, after the add). */
  wait: Readonly<{ replicas: number; timeoutMs: number }> | undefined;
  metrics: Metrics;
};

/**
 * `POST /alerts/alertmanager`. Answers 2xx only once the notification is in Redis, and 503 while
 * Redis cannot take it, because Alertmanager retries 5xx and drops 4xx. The request does no more
 * than that: one command, appending it to the alert inbox (and WAIT when configured). A worker
 * makes it a job on the runs queue (`queue/inbox-mover.ts`); merging the group and everything
 * after is the job's.
 */
export function alertmanagerRoute(deps: ReceiverDeps): Route {
  /** Counts a refusal by reason and hands the error back to be thrown. */
  const rejected = (reason: string, error: HttpError): HttpError => {
    deps.metrics.webhookRejections.inc({ reason });
    return error;
  };
  return {
    method: 'POST',
    path: '/alerts/alertmanager',
    async handler(ctx) {
      const { req } = ctx;
      if (!isAuthorized(req.headers.authorization, deps.auth)) {
        throw rejected(
          'unauthorized',
          new HttpError(401, 'unauthorized', { headers: challenge(deps.auth) }),
        );
      }
      // Alertmanager sends JSON. Requiring it keeps out the plain-text posts any web page can make.
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
        throw rejected(
          'unsupported_media_type',
          new HttpError(415, 'content-type must be application/json'),
        );
      }
      const receivedAt = new Date();
      const { payload, jobId, trimmed } = await readNotification(req, receivedAt, rejected);
      const about = { jobId, groupKey: payload.groupKey, status: payload.status };
      if (trimmed.values + trimmed.entries + trimmed.alerts > 0)
        ctx.log.warn({ ...about, trimmed }, 'alert notification trimmed to fit');
      await enqueue(deps, { kind: 'alert', receivedAt: receivedAt.toISOString(), payload }, about, {
        log: ctx.log,
        rejected,
      });
      deps.metrics.alertNotifications.inc({ status: payload.status });
      ctx.log.info({ ...about, alerts: payload.alerts.length }, 'alert notification accepted');
      return { status: 202, body: { status: 'accepted', jobId } };
    },
  };
}

type Rejected = (reason: string, error: HttpError) => HttpError;

/** The body as a checked, bounded notification, and its job id; a 4xx when it is not one. */
async function readNotification(req: IncomingMessage, receivedAt: Date, rejected: Rejected) {
  let body: { value: unknown; bytes: number };
  try {
    body = await readSizedJson(req, BODY_LIMIT);
  } catch (error) {
    if (error instanceof HttpError)
      throw rejected(error.status === 413 ? 'too_large' : 'invalid_json', error);
    throw error;
  }
  const parsed = AlertmanagerPayload.safeParse(body.value);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues.slice(0, 5)).join('; ');
    throw rejected(
      'invalid_payload',
      new HttpError(400, `invalid Alertmanager payload: ${problems}`),
    );
  }
  const jobId = alertJobId(parsed.data, receivedAt);
  return { jobId, ...boundPayload(parsed.data, body.bytes) };
}

/**
 * The job, durably: in the inbox under its id (a retry of the same notification carries the same
 * id, and the worker adds a job once per id), then, with WAIT configured, on enough replicas. A
 * 503 when either cannot be done.
 */
async function enqueue(
  deps: ReceiverDeps,
  job: RunJob & { kind: 'alert' },
  about: { jobId: string; groupKey: string; status: string },
  { log, rejected }: { log: Logger; rejected: Rejected },
): Promise<void> {
  if (deps.producer.status !== 'ready') throw rejected('redis_unavailable', unavailable());
  try {
    // The producer connection's own command timeout bounds the wait (queue/connection.ts).
    await deps.inbox.push(about.jobId, job);
  } catch (error) {
    log.warn({ ...about, err: { message: (error as Error).message } }, 'alert not enqueued');
    throw rejected('redis_unavailable', unavailable(error));
  }
  if (deps.wait !== undefined && !(await onReplicas(deps.producer, deps.wait, log, about)))
    throw rejected('replicas_behind', unavailable());
}

/**
 * Whether `replicas` replicas have every write this connection made, within the timeout, so a
 * failover right after the answer cannot lose the job. When not, the caller answers 503, and
 * Alertmanager's retry carries the same job id, so the job is not added twice.
 */
async function onReplicas(
  producer: Redis,
  wait: Readonly<{ replicas: number; timeoutMs: number }>,
  log: Logger,
  about: Record<string, string>,
): Promise<boolean> {
  try {
    const acknowledged = await producer.wait(wait.replicas, wait.timeoutMs);
    if (acknowledged >= wait.replicas) return true;
    log.warn(
      { ...about, acknowledged, wanted: wait.replicas },
      'alert enqueued but not on enough replicas yet',
    );
  } catch (error) {
    log.warn(
      { ...about, err: { message: (error as Error).message } },
      'alert enqueued but replicas not confirmed',
    );
  }
  return false;
}

function unavailable(cause?: unknown): HttpError {
  return new HttpError(503, 'queue unavailable, retry later', {
    headers: { 'retry-after': '5' },
    cause,
  });
}
