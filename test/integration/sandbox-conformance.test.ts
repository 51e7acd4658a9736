import { describe, expect, it } from 'vitest';
import { runConformance } from '../conformance/run.ts';

/**
 * The sandbox's conformance table (`npm run sandbox:conformance`): every kubectl command and API
 * call in it gives what a real cluster gives.
 */
describe('the sandbox against a real cluster', () => {
  it('matches every row of the conformance table', async () => {
    const tables = await runConformance();

    const rows = tables.flatMap((t) => t.results);
    const differing = rows.filter((r) => !r.matched).map((r) => `${r.name} → ${r.got}`);
    expect(differing).toEqual([]);
    expect(rows.length).toBeGreaterThan(120);
  }, 300_000);
});
