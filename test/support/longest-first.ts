import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take far longer than their size says: the conformance table (a few lines that run
 * a few hundred kubectl commands) and the CLI against a sandbox of its own (a process per test).
 * With no durations from an earlier run (a clean checkout, as in CI), vitest starts the largest
 * files first, which puts these near the end, where the other worker runs out of files and waits.
 */
const LONG_BUT_SHORT = [
  'test/integration/sandbox-conformance.test.ts',
  'test/integration/cli-cluster.test.ts',
];

/** Vitest's order (longest first when it knows, else largest first), these files before all. */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (file: TestSpecification) =>
      LONG_BUT_SHORT.some((path) => file.moduleId.endsWith(path));
    return [...sorted.filter(long), ...sorted.filter((file) => !long(file))];
  }
}
