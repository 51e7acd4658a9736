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
