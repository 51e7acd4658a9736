import { analyze } from '../src/tools/kubernetes/analyzers/index.ts';
import { emptySnapshot } from '../src/tools/kubernetes/snapshot.ts';
import { pod } from '../test/support/pod-shapes.ts';

/**
 * Milliseconds `analyze` takes on a pending pod whose FailedScheduling event message (written
 * by anyone who may create events in the namespace; no length limit in core/v1) is shaped to make
 * the scheduler-message patterns backtrack: a long run of whitespace after the head. Linear time
 * doubles with the size; quadratic time quadruples.
 */
export async function benchSchedulerMessages(): Promise<void> {
  const rows = [16, 32, 64].map((kib) => {
    const message = `0/3 nodes are available: 1 x${' '.repeat(kib * 1024)}x`;
    const snapshot = {
      ...emptySnapshot(),
      pods: [pod({ phase: 'Pending' })],
      events: [
        {
          metadata: { name: 'e' },
          involvedObject: { kind: 'Pod', name: pod({}).metadata?.name ?? '', namespace: 'shop' },
          reason: 'FailedScheduling',
          message,
        },
      ],
    };
    const started = performance.now();
    analyze(snapshot);
    return { 'message KiB': kib, 'analyze ms': Math.round(performance.now() - started) };
  });
  console.log('\nAnalyzers on a FailedScheduling message of whitespace');
  console.table(rows);
}
