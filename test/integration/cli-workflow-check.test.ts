import { afterEach, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../support/cli.ts';

const runs: CliRun[] = [];

/** Runs `coxswain workflow check …` to its end: what it printed and its exit code. */
async function check(...files: string[]) {
  const run = runCli(['workflow', 'check', ...files], { COXSWAIN_CONFIG: undefined });
  runs.push(run);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

afterEach(() => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
});

const FIXTURES = 'test/fixtures/workflows';
const BAD = `${FIXTURES}/invalid/broken-crashloop.yaml`;

describe('coxswain workflow check', () => {
  it('says ok for each good file, YAML or Markdown, and exits 0', async () => {
    const result = await check(
      `${FIXTURES}/cluster-health-check.yaml`,
      `${FIXTURES}/pod-crashloop-remediation.yaml`,
      'workflows/deploy/deploy-app.md',
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `${FIXTURES}/cluster-health-check.yaml: ok`,
        `${FIXTURES}/pod-crashloop-remediation.yaml: ok`,
        'workflows/deploy/deploy-app.md: ok',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
  });

  it('prints every problem of a bad file with its line and field, and exits 1', async () => {
    const result = await check(BAD, `${FIXTURES}/cluster-health-check.yaml`);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${FIXTURES}/cluster-health-check.yaml: ok\n`);
    expect(result.stderr.split('\n')).toEqual([
      `${BAD}:2: model: must be one of haiku, sonnet, opus`,
      `${BAD}:4: trigger[0].schedule: is not a cron expression (Constraint error, got value 25 expected range 0-23)`,
      `${BAD}:9: trigger[1].alert.match.namespace.regex: is not a regular expression (RE2 syntax: no lookarounds or backreferences)`,
      `${BAD}:11: autonomy.auto_approve[0]: drain is forbidden by the policy; no workflow can approve it`,
      `${BAD}:16: steps[0].needs: the steps wait for each other in a cycle: diagnose → verify → fix → diagnose (→: waits for)`,
      `${BAD}:20: steps[1].on_failure: no step named rollback`,
      `${BAD}:22: steps[2].agent: an agent step needs a task`,
      '',
    ]);
  });

  it('names two files that give one workflow name', async () => {
    const result = await check(
      `${FIXTURES}/cluster-health-check.yaml`,
      `${FIXTURES}/invalid/same-name.yml`,
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${FIXTURES}/invalid/same-name.yml:1: name: a workflow named cluster-health-check is already in ${FIXTURES}/cluster-health-check.yaml\n`,
    );
  });

  it('is a usage error without a file', async () => {
    const result = await check();

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('coxswain: workflow check needs at least one FILE');
    expect(result.stderr).toContain('coxswain workflow check FILE…');
  });
});
