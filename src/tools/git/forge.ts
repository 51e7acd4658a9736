import { z } from 'zod';
import type { GitOpsSettings } from '../../config/index.ts';
import { CoxswainError } from '../../errors.ts';
import {
  type ForgeAnswer,
  ForgeAnswerTooLarge,
  type ForgePulls,
  type ForgeRepository,
  type PullRequestInput,
} from './forge-answer.ts';
import { giteaPulls } from './forge-gitea.ts';
import { githubPulls } from './forge-github.ts';
import { hideSecrets, secretsOf } from './secrets.ts';

export type { PullRequestInput } from './forge-answer.ts';

/**
 * Opening and finding a pull request through the forge's client library: Octokit for GitHub
 * (`POST /repos/{owner}/{repo}/pulls`), gitea-js for Gitea and Forgejo (the same under
 * `/api/v1`). Both take `{ title, head, base, body }` and answer 201 with the pull request's
 * number and page. Every refusal names the forge, the repository, the status and the forge's
 * message, and never the token.
 */
export const PullRequest = z.object({
  number: z.number().int(),
  html_url: z.string(),
  head: z.object({ ref: z.string() }).optional(),
  base: z.object({ ref: z.string() }).optional(),
});
export type PullRequest = z.infer<typeof PullRequest>;

type Settings = Pick<GitOpsSettings, 'repo' | 'forge'>;

export async function openPullRequest(
  settings: Settings,
  input: PullRequestInput,
): Promise<PullRequest> {
  const answer = await ask(settings, (pulls) => pulls.create(input));
  if (answer.status !== 201) throw refused(settings, answer, 'refused the pull request');
  const parsed = PullRequest.safeParse(answer.data);
  if (!parsed.success)
    throw new CoxswainError(
      'forge',
      `${answer.where} answered 201 without a pull request number and page`,
    );
  return { number: parsed.data.number, html_url: parsed.data.html_url };
}

/**
 * The pull request already open (or closed) from `head` into `base`, if any: how an execution
 * retried after the forge opened one finds it instead of asking for a second. GitHub lists them
 * by `head=owner:branch`; Gitea and Forgejo answer `GET pulls/{base}/{head}`.
 */
export async function findPullRequest(
  settings: Settings,
  head: string,
  base: string,
): Promise<PullRequest | undefined> {
  const answer = await ask(settings, (pulls) => pulls.find(head, base));
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw refused(settings, answer, 'refused to list pull requests');
  const found = (Array.isArray(answer.data) ? answer.data : [answer.data])
    .map((item) => PullRequest.safeParse(item))
    .flatMap((p) => (p.success ? [p.data] : []))
    .find((p) => p.head?.ref === head && p.base?.ref === base);
  return found === undefined ? undefined : { number: found.number, html_url: found.html_url };
}

/** One request through the forge's client; no answer at all is a `forge` error naming why. */
async function ask(
  settings: Settings,
  request: (pulls: ForgePulls) => Promise<ForgeAnswer>,
): Promise<ForgeAnswer & { where: string }> {
  const repo = ownerAndName(settings.repo);
  const where = `${settings.forge.type === 'github' ? 'GitHub' : 'Gitea'} (${repo.owner}/${repo.name})`;
  const pulls = await clientOf(settings.forge, repo);
  try {
    return { ...(await request(pulls)), where };
  } catch (error) {
    const what = causes(error).some((e) => e instanceof ForgeAnswerTooLarge)
      ? `${where} ${new ForgeAnswerTooLarge().message}`
      : `${where} could not be reached: ${reasonOf(error)}`;
    throw new CoxswainError('forge', hideSecrets(what, secretsOf(settings)), { cause: error });
  }
}

function clientOf(forge: Settings['forge'], repo: ForgeRepository): Promise<ForgePulls> {
  return forge.type === 'github' ? githubPulls(forge, repo) : giteaPulls(forge, repo);
}

function refused(
  settings: Settings,
  answer: ForgeAnswer & { where: string },
  what: string,
): CoxswainError {
  return new CoxswainError(
    'forge',
    hideSecrets(
      `${answer.where} ${what}: ${answer.status} ${messageOf(answer.data)}`,
      secretsOf(settings),
    ),
  );
}

/**
 * The innermost message of a failed request: fetch's "fetch failed" wraps the connection's own
 * error (`connect ECONNREFUSED …`), and Octokit wraps fetch's.
 */
/** The error and the causes under it, outermost first (at most six). */
function causes(error: unknown): unknown[] {
  const chain = [error];
  for (let cause = (error as Error)?.cause; cause !== undefined && chain.length < 6; ) {
    chain.push(cause);
    cause = (cause as Error)?.cause;
  }
  return chain;
}

function reasonOf(error: unknown): string {
  let reason = error instanceof Error ? error.message : String(error);
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (cause.message !== '') reason = cause.message;
    cause = cause.cause;
  }
  return reason;
}

/** `owner/name` from the repository's URL or path: its last two segments, without `.git`. */
export function ownerAndName(repo: string): ForgeRepository {
  const path = repo.replace(/^[a-z+]+:\/\/[^/]*/i, '').replace(/^[^/:]+@[^:]+:/, '');
  const parts = path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  const name = parts.at(-1);
  const owner = parts.at(-2);
  if (owner === undefined || name === undefined)
    throw new CoxswainError(
      'forge',
      `cannot tell the owner and name of the repository from its URL`,
    );
  return { owner, name };
}

const ForgeMessage = z.object({
  message: z.string().optional(),
  errors: z.array(z.object({ message: z.string().optional() }).loose()).optional(),
});

/** The forge's own words: GitHub's `message` and `errors[].message`, Gitea's `message`. */
function messageOf(data: unknown): string {
  if (typeof data === 'string') return data.slice(0, 200);
  const parsed = ForgeMessage.safeParse(data);
  if (!parsed.success) return '';
  const details = (parsed.data.errors ?? []).map((e) => e.message).filter(Boolean);
  return [parsed.data.message, ...details].filter(Boolean).join('; ').slice(0, 300);
}
