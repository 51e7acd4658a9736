import { runKubectl } from '../support/kubectl.ts';

/**
 * One row of the sandbox's conformance table: a kubectl command or a call through the API, and
 * what a real cluster (kubectl 1.32 against Kubernetes 1.32) gives for it.
 */
export type Observed = { exit: number | null; out: string; err: string };

export type Context = { kubeconfig: string; cacheDir: string; url: string };

/** A kubectl command that sets state up; given with `stdin`, it reads `-f -` from it. */
export type Step = string[] | { kubectl: string[]; stdin: string };

export type Case = {
  /** What a real cluster gives, in a few words: the table's last column. */
  real: string;
  /** kubectl commands run first, each expected to succeed (the state the case needs). */
  before?: Step[];
  /** The command under test; `stdin` feeds `-f -`. */
  kubectl?: string[];
  stdin?: string;
  /**
   * Or a request through the API, as the client library makes it; `serviceAccount`
   * (`namespace/name`) sends a token `kubectl create token` issued for it, as a client running
   * as that account does (kubectl itself sends no token over plain HTTP).
   */
  request?: {
    method: string;
    path: string;
    body?: unknown;
    contentType?: string;
    serviceAccount?: string;
    headers?: Record<string, string>;
  };
  /** `exit: null`: still running when interrupted (see `stopAfter`). */
  expect: { exit?: number | null; out?: RegExp; err?: RegExp };
  /** What a controller does after the command: the check is retried for up to this many seconds. */
  within?: number;
  /**
   * For a command that never ends by itself (`get -w`, `logs -f`): interrupted after this many
   * seconds, its output until then the observation. Its exit is the interrupt's, so leave
   * `expect.exit` out.
   */
  stopAfter?: number;
  /** kubectl commands run in the background just as the command under test starts, each after
   * `delay` seconds: the changes a watch or a followed log should show. */
  during?: { delay: number; kubectl: string[] }[];
};

export type Result = { name: string; real: string; matched: boolean; got: string };

/** The case's name in the table: its command line, or its request. */
export function nameOf(c: Case): string {
  if (c.kubectl !== undefined) return `kubectl ${c.kubectl.join(' ')}`;
  return `${c.request?.method} ${c.request?.path}`;
}

export async function runCase(c: Case, context: Context): Promise<Result> {
  const failed = await runSteps(c.before ?? [], context);
  if (failed !== undefined) return result(c, false, failed);
  const deadline = Date.now() + (c.within ?? 0) * 1000;
  for (;;) {
    const observed = await observe(c, context);
    const mismatch = mismatchOf(c, observed);
    if (mismatch === undefined) return result(c, true, summary(observed));
    if (Date.now() >= deadline) return result(c, false, `${mismatch}: ${summary(observed)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs each step in turn; what went wrong with the first that failed, if one did. */
export async function runSteps(
  steps: readonly Step[],
  context: Context,
): Promise<string | undefined> {
  for (const step of steps) {
    const { kubectl, stdin } = Array.isArray(step) ? { kubectl: step, stdin: undefined } : step;
    const done = await runKubectl(context, kubectl, stdin);
    if (done.code !== 0)
      return `setup \`kubectl ${kubectl.join(' ')}\` failed: ${done.stderr.trim()}`;
  }
  return undefined;
}

async function observe(c: Case, context: Context): Promise<Observed> {
  if (c.kubectl !== undefined) {
    const limits = c.stopAfter === undefined ? {} : { stopAfterMs: c.stopAfter * 1000 };
    const changes = (c.during ?? []).map(async (step) => {
      await new Promise((resolve) => setTimeout(resolve, step.delay * 1000));
      return runKubectl(context, step.kubectl);
    });
    const run = await runKubectl(context, c.kubectl, c.stdin, limits);
    await Promise.all(changes);
    return { exit: run.stopped === true ? null : run.code, out: run.stdout, err: run.stderr };
  }
  const request = c.request as NonNullable<Case['request']>;
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined)
    headers['content-type'] = request.contentType ?? 'application/json';
  if (request.serviceAccount !== undefined) {
    const token = await tokenFor(request.serviceAccount, context);
    if (token === undefined) return { exit: null, out: '', err: 'no token was issued' };
    headers.authorization = `Bearer ${token}`;
  }
  const response = await fetch(`${context.url}${request.path}`, {
    method: request.method,
    headers,
    ...(request.body === undefined
      ? {}
      : { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) }),
  });
  return { exit: response.status, out: await response.text(), err: '' };
}

async function tokenFor(account: string, context: Context): Promise<string | undefined> {
  const [namespace = '', name = ''] = account.split('/');
  const issued = await runKubectl(context, ['create', 'token', name, '-n', namespace]);
  return issued.code === 0 ? issued.stdout.trim() : undefined;
}

function mismatchOf(c: Case, observed: Observed): string | undefined {
  const { exit, out, err } = c.expect;
  if (exit !== undefined && observed.exit !== exit) return `exit ${observed.exit}, not ${exit}`;
  if (out !== undefined && !out.test(observed.out)) return `output does not match ${out}`;
  if (err !== undefined && !err.test(observed.err)) return `error does not match ${err}`;
  return undefined;
}

function summary(observed: Observed): string {
  const text = `${observed.out.trim()} ${observed.err.trim()}`.trim().replace(/\s+/g, ' ');
  return `${observed.exit}: ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`;
}

function result(c: Case, matched: boolean, got: string): Result {
  return { name: nameOf(c), real: c.real, matched, got };
}
