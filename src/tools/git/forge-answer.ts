import { boundedBody } from '../../shared/bounded-body.ts';
/**
 * What the forge clients (`forge-github.ts`, `forge-gitea.ts`) share with `forge.ts`: a request's
 * answer as the forge gave it, whatever its status, so that `forge.ts` words every refusal the
 * same way. A request that got no answer (refused connection, timeout) throws instead.
 */
export type ForgeAnswer = { status: number; data: unknown };

export type PullRequestInput = { head: string; base: string; title: string; body: string };

export type ForgePulls = {
  create(input: PullRequestInput): Promise<ForgeAnswer>;
  /** The pull requests from `head` into `base`: a list (GitHub) or the one (Gitea). */
  find(head: string, base: string): Promise<ForgeAnswer>;
};

export type ForgeRepository = { owner: string; name: string };

/** How long one request to the forge may take, connection and answer together. */
export const FORGE_TIMEOUT_MS = 30_000;

export const USER_AGENT = 'coxswain';

/**
 * The most of one forge answer read. A pull request, or the few a branch has, is a few KiB; an
 * answer past this is not one a forge gives, and is not held in the worker's memory.
 */
export const MAX_FORGE_ANSWER_BYTES = 1024 * 1024;

/** The forge answered with more than MAX_FORGE_ANSWER_BYTES: refused unread. */
export class ForgeAnswerTooLarge extends Error {
  constructor() {
    super(`answered with more than ${MAX_FORGE_ANSWER_BYTES} bytes, which were not read`);
    this.name = 'ForgeAnswerTooLarge';
  }
}

/** Statuses whose answers have no body (a Response made with one is refused). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for the forge clients: the answer's body is read here, up to MAX_FORGE_ANSWER_BYTES
 * (by its declared length, then as it streams in), and handed on whole.
 */
export async function boundedFetch(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const response = await fetch(input, init);
  if (NO_BODY.has(response.status)) return response;
  const body = await boundedBody(response, MAX_FORGE_ANSWER_BYTES);
  if (body === undefined) throw new ForgeAnswerTooLarge();
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
