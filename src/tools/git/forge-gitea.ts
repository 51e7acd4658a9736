import type { GitOpsSettings } from '../../config/index.ts';
import {
  boundedFetch,
  FORGE_TIMEOUT_MS,
  type ForgeAnswer,
  type ForgePulls,
  type ForgeRepository,
  USER_AGENT,
} from './forge-answer.ts';

/**
 * Gitea's and Forgejo's pull requests through gitea-js, the client generated from Gitea's API
 * description. The forge's URL is the server's root (the API is under /api/v1). gitea-js is
 * imported when a pull request is first opened or looked up, never by a process that opens none.
 */
export async function giteaPulls(
  forge: GitOpsSettings['forge'],
  repo: ForgeRepository,
): Promise<ForgePulls> {
  const { giteaApi } = await import('gitea-js');
  const api = giteaApi(forge.url, { token: forge.token, customFetch: boundedFetch });
  // gitea-js puts path parameters into the path as they are: they are encoded here.
  const owner = encodeURIComponent(repo.owner);
  const name = encodeURIComponent(repo.name);
  const params = () => ({
    headers: { 'user-agent': USER_AGENT },
    signal: AbortSignal.timeout(FORGE_TIMEOUT_MS),
  });
  return {
    create: (input) => answerOf(api.repos.repoCreatePullRequest(owner, name, input, params())),
    // Gitea routes `pulls/{base}/*`: the head branch keeps its slashes, each segment encoded.
    find: (head, base) =>
      answerOf(
        api.repos.repoGetPullRequestByBaseHead(
          owner,
          name,
          encodeURIComponent(base),
          head.split('/').map(encodeURIComponent).join('/'),
          params(),
        ),
      ),
  };
}

/**
 * gitea-js throws the `Response` itself for a status of 400 and above, with the parsed body as
 * `error` (or the parse failure, for a body that is not JSON: then its status text stands in).
 */
async function answerOf(request: Promise<{ status: number; data: unknown }>): Promise<ForgeAnswer> {
  try {
    const { status, data } = await request;
    return { status, data };
  } catch (error) {
    if (!(error instanceof Response)) throw error;
    const body: unknown = (error as Response & { error?: unknown }).error;
    return { status: error.status, data: body instanceof Error ? error.statusText : body };
  }
}
