import { CoxswainError } from '../../errors.ts';
import { boundedBody } from '../../shared/bounded-body.ts';
import { DEFAULT_METRICS_TIMEOUT_MS, type MetricsContext } from './context.ts';
import { PrometheusEnvelope } from './schema.ts';

/**
 * GET requests to Prometheus and Alertmanager, bounded in time and in size. A server that is down,
 * slow or answers with something other than its API becomes `metrics_unavailable` (the answer goes
 * on without metrics); Prometheus refusing a query, or an answer too large to read, becomes
 * `metrics_query` with a reason, for the model to correct the query.
 */

type Source = 'Prometheus' | 'Alertmanager';

/**
 * The most of one answer read. Each tool keeps a few series or alerts of it anyway; past this the
 * query is too wide to be worth a worker's memory (the parsed JSON takes several times the text).
 */
export const MAX_METRICS_RESPONSE_BYTES = 8 * 1024 * 1024;

export async function prometheusGet(
  context: MetricsContext,
  path: string,
  params: Record<string, string>,
): Promise<unknown> {
  const body = await getJson('Prometheus', context.prometheusUrl, path, params, context.timeoutMs);
  const envelope = PrometheusEnvelope.safeParse(body.json);
  if (!envelope.success) {
    throw unavailable(
      'Prometheus',
      `answered ${path} with HTTP ${body.status} and no API response`,
    );
  }
  if (envelope.data.status === 'error') {
    const type = envelope.data.errorType ?? 'error';
    throw new CoxswainError(
      'metrics_query',
      `Prometheus refused the request (${type}): ${envelope.data.error ?? 'no reason given'}`,
    );
  }
  return envelope.data.data;
}

export async function alertmanagerGet(
  context: MetricsContext,
  path: string,
  params: Record<string, string | string[]>,
): Promise<unknown> {
  return alertmanagerRequest(context, path, params);
}

/**
 * A write to Alertmanager's API v2 (a silence posted or expired): its refusal (4xx) is the
 * caller's to show, a server that is down or failing is "metrics unavailable".
 */
export async function alertmanagerWrite(
  context: MetricsContext,
  method: 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  return alertmanagerRequest(context, path, {}, { method, body });
}

async function alertmanagerRequest(
  context: MetricsContext,
  path: string,
  params: Record<string, string | string[]>,
  write?: Write,
): Promise<unknown> {
  const body = await getJson(
    'Alertmanager',
    context.alertmanagerUrl,
    path,
    params,
    context.timeoutMs,
    write,
  );
  if (body.status >= 200 && body.status < 300) return body.json;
  const reason = typeof body.json === 'string' ? body.json : `HTTP ${body.status}`;
  if (body.status >= 400 && body.status < 500) {
    throw new CoxswainError('metrics_query', `Alertmanager refused the request: ${reason}`);
  }
  throw unavailable('Alertmanager', `answered ${path} with HTTP ${body.status}`);
}

type Write = { method: 'POST' | 'DELETE'; body?: unknown };

async function getJson(
  source: Source,
  base: string | undefined,
  path: string,
  params: Record<string, string | string[]>,
  timeoutMs = DEFAULT_METRICS_TIMEOUT_MS,
  write?: Write,
): Promise<{ status: number; json: unknown }> {
  if (base === undefined) {
    const variable = source === 'Prometheus' ? 'PROMETHEUS_URL' : 'ALERTMANAGER_URL';
    throw new CoxswainError(
      'metrics_unavailable',
      `metrics unavailable: ${variable} is not configured, so ${source} cannot be read; answer from the cluster's own state`,
    );
  }
  const url = new URL(`${base}${path}`);
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(write === undefined
        ? { headers: { accept: 'application/json' } }
        : {
            method: write.method,
            headers: { accept: 'application/json', 'content-type': 'application/json' },
            ...(write.body === undefined ? {} : { body: JSON.stringify(write.body) }),
          }),
    });
    text = await readBounded(response, source);
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const reason = timedOut
      ? `did not answer within ${timeoutMs / 1000} s`
      : `cannot be reached (${causeOf(error)})`;
    throw unavailable(source, reason, error);
  }
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    // Alertmanager's plain-text refusals (a bad filter) come as a JSON string or as text.
    return { status: response.status, json: text.slice(0, 500) };
  }
}

/** The body as text, read up to MAX_METRICS_RESPONSE_BYTES and refused past it. */
async function readBounded(response: Response, source: Source): Promise<string> {
  const body = await boundedBody(response, MAX_METRICS_RESPONSE_BYTES);
  if (body === undefined) throw tooLarge(source);
  return body.toString('utf8');
}

function tooLarge(source: Source): CoxswainError {
  const narrower =
    source === 'Prometheus'
      ? 'narrow the query (fewer series, a shorter range or a longer step) or aggregate it (sum by, topk)'
      : 'narrow the query with a filter of label matchers';
  return new CoxswainError(
    'metrics_query',
    `result too large: ${source} answered more than ${MAX_METRICS_RESPONSE_BYTES / 1024 / 1024} MB, which was not read; ${narrower}`,
  );
}

function unavailable(source: Source, reason: string, cause?: unknown): CoxswainError {
  return new CoxswainError(
    'metrics_unavailable',
    `metrics unavailable: ${source} ${reason}; answer without metrics and say so`,
    { cause },
  );
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return error.message;
}
