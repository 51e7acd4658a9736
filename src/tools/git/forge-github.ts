import { z } from 'zod';
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
 * GitHub's and GitHub Enterprise Server's pull requests through Octokit. The forge's URL is the
 * API's base as the settings give it: https://api.github.com, or https://HOST/api/v3 for a
 * GitHub Enterprise Server. Octokit is imported when a pull request is first opened or looked
 * up, so that no process loads it before it needs it (a bot never does).
 */
export async function githubPulls(
  forge: GitOpsSettings['forge'],
  repo: ForgeRepository,
): Promise<ForgePulls> {
  const { Octokit } = await import('@octokit/rest');
  const octokit = new Octokit({
    auth: forge.token,
    baseUrl: forge.url,
    userAgent: USER_AGENT,
    // Its request log writes to the console (not Coxswain's JSON log); refusals come back as errors.
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const options = () => ({
    owner: repo.owner,
    repo: repo.name,
    headers: { 'x-github-api-version': '2022-11-28' },
    request: { signal: AbortSignal.timeout(FORGE_TIMEOUT_MS), fetch: boundedFetch },
  });
  return {
    create: (input) => answerOf(octokit.rest.pulls.create({ ...options(), ...input })),
    // GitHub filters by `head` only in the `owner:branch` form.
    find: (head, base) =>
      answerOf(
        octokit.rest.pulls.list({
          ...options(),
          state: 'all',
          head: `${repo.owner}:${head}`,
          base,
        }),
      ),
  };
}

function quiet(): void {}

/** Octokit's `RequestError` when the forge answered: it carries the answer. */
const Answered = z.object({
  response: z.object({ status: z.number().int(), data: z.unknown() }),
});

async function answerOf(request: Promise<{ status: number; data: unknown }>): Promise<ForgeAnswer> {
  try {
    const { status, data } = await request;
    return { status, data };
  } catch (error) {
    const answered = Answered.safeParse(error);
    if (!answered.success) throw error;
    return { status: answered.data.response.status, data: answered.data.response.data };
  }
}
