import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/start-sandbox.ts';
import { type Case, type Result, runCase, runSteps, type Step } from './case.ts';
import { ACCESS, ACCESS_SETUP } from './cases/access.ts';
import { EVERYDAY } from './cases/everyday.ts';
import { IMPERATIVE } from './cases/imperative.ts';
import { OPERATION_SETUP, OPERATIONS } from './cases/operations.ts';
import { SERVICE_SETUP, SERVICES } from './cases/services.ts';
import { VALIDATION, VALIDATION_SETUP } from './cases/validation.ts';
import { WORKLOAD_SETUP, WORKLOADS } from './cases/workloads.ts';

/**
 * A table of rows, run in order; tables run alongside each other, as they use namespaces of their
 * own, but one marked `last` waits for the others: it changes what they read (drain empties a
 * node). Its `setup` runs before the first row of any table, so that controllers work on every
 * table's objects (jobs finishing, crash loops backing off) while rows run.
 */
type Table = { title: string; cases: readonly Case[]; setup?: readonly Step[]; last?: true };

/** Every table, in the order they print (those marked `last` after the others). */
export const TABLES: readonly Table[] = [
  { title: 'Everyday commands', cases: EVERYDAY },
  { title: 'Imperative commands', cases: IMPERATIVE },
  { title: 'Workloads', cases: WORKLOADS, setup: WORKLOAD_SETUP },
  { title: 'Leases, Services, Endpoints, claims and quota', cases: SERVICES, setup: SERVICE_SETUP },
  { title: 'Validation', cases: VALIDATION, setup: VALIDATION_SETUP },
  { title: 'Access control, networking and scheduling', cases: ACCESS, setup: ACCESS_SETUP },
  { title: 'Incident operations', cases: OPERATIONS, setup: OPERATION_SETUP, last: true },
];

/** The scenarios the cases read: a healthy shop, a crash loop and a bad rollout. */
const SCENARIOS = ['healthy', 'oom-crashloop', 'bad-rollout'];

/** Runs every case, in order, against one sandbox of its own. */
export async function runConformance(): Promise<{ title: string; results: Result[] }[]> {
  const sandbox = await startSandbox({ scenarios: SCENARIOS });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-conformance-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, sandbox.kubeconfig, { mode: 0o600 });
  const context = { kubeconfig, cacheDir: join(dir, 'cache'), url: sandbox.url };
  try {
    for (const table of TABLES) {
      const failed = await runSteps(table.setup ?? [], context);
      if (failed !== undefined) throw new Error(`${table.title}: ${failed}`);
    }
    const run = async (table: Table) => {
      const results: Result[] = [];
      for (const c of table.cases) results.push(await runCase(c, context));
      return { title: table.title, results };
    };
    const out = await Promise.all(TABLES.filter((t) => t.last !== true).map(run));
    for (const table of TABLES.filter((t) => t.last === true)) out.push(await run(table));
    return out;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
