import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

/** `coxswain rbac` as a person runs it: the config file and nothing else from the environment. */
const SMALL = fileURLToPath(new URL('../../deploy/kubernetes/overlays/small/', import.meta.url));

async function finish(args: string[], env: Record<string, string | undefined>) {
  const run = runCli(args, { REDIS_URL: undefined, KUBECONFIG: undefined, ...env });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('coxswain rbac', () => {
  it('prints the overlay’s writer Roles from COXSWAIN_CONFIG alone, with no Redis or cluster', async () => {
    const result = await finish(['rbac'], { COXSWAIN_CONFIG: join(SMALL, 'coxswain.yaml') });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(SMALL, 'writer-rbac.yaml'), 'utf8'));
  });
});
