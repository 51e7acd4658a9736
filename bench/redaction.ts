import { redactMessage } from '../src/chat/redact-message.ts';
import { MAX_REDACTED_CHARS, redactText } from '../src/policy/redact.ts';
import { redactObject } from '../src/policy/redact-object.ts';
import { ADVERSARIAL_SHAPES, realisticLog } from '../test/support/adversarial-text.ts';

const MEGABYTE = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/**
 * Milliseconds per megabyte through each redaction entry point, for text shaped to make
 * patterns backtrack and for ordinary log text. A megabyte goes in as pieces the size of the cap
 * (256 KiB), so every pattern sees all of it; a single megabyte string would be cut first.
 */
export async function benchRedaction(): Promise<void> {
  const shapes: Record<string, (size: number) => string> = {
    ...ADVERSARIAL_SHAPES,
    'realistic log text': realisticLog,
  };
  const rows = Object.entries(shapes).map(([shape, make]) => {
    const pieces = Array.from({ length: MEGABYTE / MAX_REDACTED_CHARS }, () =>
      make(MAX_REDACTED_CHARS),
    );
    const whole = make(MEGABYTE);
    return {
      shape,
      'redactText ms/MB': median(() => {
        for (const piece of pieces) redactText(piece);
      }),
      'redactObject ms/MB': median(() =>
        redactObject({ data: Object.fromEntries(pieces.map((piece, i) => [`file-${i}`, piece])) }),
      ),
      'outbox pass ms/MB': median(() =>
        redactMessage({
          headline: pieces[0],
          text: pieces[1],
          footer: pieces[2],
          sections: [{ code: pieces[3] }],
        }),
      ),
      'one 1 MB string (cut) ms': median(() => redactText(whole)),
    };
  });
  console.log(
    `\nRedaction: milliseconds per MB (median of ${RUNS}), cap ${MAX_REDACTED_CHARS / 1024} KiB`,
  );
  console.table(rows);
}

function median(run: () => unknown): number {
  run();
  const times = Array.from({ length: RUNS }, () => {
    const started = performance.now();
    run();
    return performance.now() - started;
  }).sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
}
