import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('refuses a namespace pattern, exiting 1 with what to do instead', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'coxswain-cli-rbac-')), 'coxswain.yaml');
    writeFileSync(
      config,
      'bindings:\n  - { channel: web:ops, clusters: [default], namespaces: [team-*], maxTier: confirm }\n',
    );

    const result = await finish(['rbac', '--config', config], { COXSWAIN_CONFIG: undefined });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /names namespaces "team-\*": RBAC cannot grant a pattern.*list the namespaces/,
    );
  });

  it('shows its usage for --help and in the command list', async () => {
    const help = await finish(['rbac', '--help'], {});
    const list = await finish(['help'], {});

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: coxswain rbac \[--config FILE\]/);
    expect(list.stdout).toMatch(/^ {2}rbac {5}/m);
  });
});
