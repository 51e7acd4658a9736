import { z } from 'zod';
import type { GitOpsSettings } from '../../config/index.ts';
import { CoxswainError } from '../../errors.ts';
import { hideSecrets, secretsOf } from './secrets.ts';

/**
 * Opening a pull request through the forge's REST API: GitHub's `POST /repos/{owner}/{repo}/pulls`
 * (a bearer token) or Gitea's and Forgejo's `POST /api/v1/repos/{owner}/{repo}/pulls` (`token`).
 * Both take `{ title, head, base, body }` and answer 201 with the pull request's number and page.
 */
export const PullRequest = z.object({ number: z.number().int(), html_url: z.string() });
export type PullRequest = z.infer<typeof PullRequest>;

export type PullRequestInput = { head: string; base: string; title: string; body: string };

const FORGE_TIMEOUT_MS = 30_000;

export async function openPullRequest(
  settings: Pick<GitOpsSettings, 'repo' | 'forge'>,
  input: PullRequestInput,
): Promise<PullRequest> {
  const answer = await forgeRequest(settings, 'POST', 'pulls', input);
  if (answer.status !== 201) {
    throw new CoxswainError(
      'forge',
      hideSecrets(
        `${answer.where} refused the pull request: ${answer.status} ${messageOf(answer.text)}`,
        secretsOf(settings),
      ),
    );
  }
  const parsed = PullRequest.safeParse(parseJson(answer.text));
  if (!parsed.success)
    throw new CoxswainError(
      'forge',
      `${answer.where} answered 201 without a pull request number and page`,
    );
  return parsed.data;
}

/**
 * The pull request already open (or closed) from `head` into `base`, if any: how an execution
 * retried after the forge opened one finds it instead of asking for a second. GitHub lists them
 * by `head=owner:branch`; Gitea and Forgejo answer `GET pulls/{base}/{head}`.
 */
export async function findPullRequest(
  settings: Pick<GitOpsSettings, 'repo' | 'forge'>,
  head: string,
  base: string,
): Promise<PullRequest | undefined> {
  const { owner } = ownerAndName(settings.repo);
  const query =
    settings.forge.type === 'github'
      ? `pulls?state=all&head=${encodeURIComponent(`${owner}:${head}`)}`
      : `pulls/${encodeURIComponent(base)}/${encodeURIComponent(head)}`;
  const answer = await forgeRequest(settings, 'GET', query);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200)
    throw new CoxswainError(
      'forge',
      hideSecrets(
        `${answer.where} refused to list pull requests: ${answer.status} ${messageOf(answer.text)}`,
        secretsOf(settings),
      ),
    );
  const body = parseJson(answer.text);
  const found = PullRequest.safeParse(Array.isArray(body) ? body[0] : body);
  return found.success ? found.data : undefined;
}

async function forgeRequest(
  settings: Pick<GitOpsSettings, 'repo' | 'forge'>,
  method: 'GET' | 'POST',
  tail: string,
  body?: unknown,
): Promise<{ status: number; text: string; where: string }> {
  const { owner, name } = ownerAndName(settings.repo);
  const { forge } = settings;
  const path = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/${tail}`;
  const url = forge.type === 'github' ? `${forge.url}/${path}` : `${forge.url}/api/v1/${path}`;
  const headers: Record<string, string> =
    forge.type === 'github'
      ? {
          authorization: `Bearer ${forge.token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
        }
      : { authorization: `token ${forge.token}`, accept: 'application/json' };
  const where = `${forge.type === 'github' ? 'GitHub' : 'Gitea'} (${owner}/${name})`;
  try {
    const response = await fetch(url, {
      method,
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'coxswain' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(FORGE_TIMEOUT_MS),
    });
    return { status: response.status, text: await response.text(), where };
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new CoxswainError(
      'forge',
      hideSecrets(`${where} could not be reached: ${reason}`, secretsOf(settings)),
      { cause: error },
    );
  }
}

/** `owner/name` from the repository's URL or path: its last two segments, without `.git`. */
export function ownerAndName(repo: string): { owner: string; name: string } {
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

function messageOf(text: string): string {
  const parsed = ForgeMessage.safeParse(parseJson(text));
  if (!parsed.success) return text.slice(0, 200);
  const details = (parsed.data.errors ?? []).map((e) => e.message).filter(Boolean);
  return [parsed.data.message, ...details].filter(Boolean).join('; ').slice(0, 300);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
