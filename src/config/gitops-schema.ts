import { z } from 'zod';

/**
 * The GitOps repository the git-operator works on: where it lives, the branch Argo CD deploys,
 * the folder holding the manifests, and the forge that takes pull requests. The forge's token is
 * never in the file: `tokenEnv` names the environment variable that holds it.
 */
export const GitOps = z.strictObject({
  repo: z
    .string()
    .min(1)
    .max(500)
    .refine(
      (r) => /^(https?|ssh|file):\/\//.test(r) || r.startsWith('/') || /^[\w.-]+@[\w.-]+:/.test(r),
      'must be an https://, ssh:// or file:// URL, user@host:path, or an absolute path',
    ),
  branch: z
    .string()
    .min(1)
    .max(200)
    .regex(/^(?!-)(?!.*\.\.)[\w./-]+$/, 'must be a branch name such as main')
    .default('main'),
  /** The folder of the manifests, relative to the repository's root; `.` for all of it. */
  path: z
    .string()
    .max(500)
    .refine(
      (p) => !p.startsWith('/') && !p.split('/').includes('..'),
      'must stay inside the repository',
    )
    .default('.'),
  /** Where the clone is kept; unset: a folder under the system's temporary directory. */
  workDir: z.string().min(1).optional(),
  forge: z.strictObject({
    type: z.enum(['github', 'gitea']),
    /** The API's base: https://api.github.com, or a Gitea server's root (its API is under /api/v1). */
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable'),
  }),
});
export type GitOps = z.infer<typeof GitOps>;

/** The GitOps settings as the tools use them: the token read, the clone's place decided. */
export type GitOpsSettings = Readonly<{
  repo: string;
  branch: string;
  path: string;
  workDir: string;
  forge: Readonly<{ type: 'github' | 'gitea'; url: string; token: string }>;
  /** What the `git` processes see of the environment: the PATH and HOME, nothing else. */
  env: Readonly<Record<string, string>>;
}>;
