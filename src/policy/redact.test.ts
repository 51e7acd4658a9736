import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_SHAPES } from '../../test/support/adversarial-text.ts';
import { MAX_REDACTED_CHARS, REDACTED, redactText } from './redact.ts';
import { redactObject } from './redact-object.ts';

type Case = { text: string; secrets: string[]; keep: string[] };

const corpus = JSON.parse(
  readFileSync(new URL('../../test/fixtures/redaction/corpus.json', import.meta.url), 'utf8'),
) as Case[];

describe('redactText', () => {
  it('has a corpus of at least 120 realistic strings, 80 of them holding credentials', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(120);
    expect(corpus.filter((c) => c.secrets.length > 0).length).toBeGreaterThanOrEqual(80);
  });

  it.each(corpus.map((c) => [c.text.slice(0, 70), c] as const))('%s', (_name, c) => {
    const out = redactText(c.text);

    for (const secret of c.secrets) expect(out).not.toContain(secret);
    if (c.secrets.length > 0) expect(out).toContain(REDACTED);
    else expect(out).toBe(c.text);
    for (const kept of c.keep) expect(out).toContain(kept);
  });

  it('is idempotent', () => {
    for (const c of corpus) expect(redactText(redactText(c.text))).toBe(redactText(c.text));
  });
});

/**
 * Text shaped to make regular expressions backtrack. The bound is only a safety net (the
 * machines are shared and noisy; `npm run bench redaction` prints the real figures): what it
 * catches is work that grows with the square of the input, which takes hours on a megabyte.
 */
const MEGABYTE = 1024 * 1024;
const SAFETY_NET_MS = 3_000;

function elapsed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** A megabyte as pieces the size of the cap, so every pattern sees all of it. */
function pieces(make: (size: number) => string): string[] {
  return Array.from({ length: MEGABYTE / MAX_REDACTED_CHARS }, () => make(MAX_REDACTED_CHARS));
}

describe.each(Object.entries(ADVERSARIAL_SHAPES))('on a megabyte of %s', (_name, make) => {
  it('redactText cuts one long string before any pattern and still redacts what it keeps', () => {
    const text = make(MEGABYTE);
    let out = '';

    const ms = elapsed(() => {
      out = redactText(text);
    });

    expect(ms).toBeLessThan(SAFETY_NET_MS);
    const cut = Number(/… \[cut: (\d+) more characters not shown\]$/.exec(out)?.[1]);
    expect(cut).toBeGreaterThanOrEqual(MEGABYTE - MAX_REDACTED_CHARS);
  });

  it('redactText runs every pattern over a megabyte in pieces the size of the cap', () => {
    const texts = pieces(make);

    const ms = elapsed(() => {
      for (const text of texts) redactText(text);
    });

    expect(ms).toBeLessThan(SAFETY_NET_MS);
  });

  it('redactObject does the same across the strings of an object', () => {
    const [data = '', annotation = '', arg = '', label = ''] = pieces(make);
    const object = {
      kind: 'ConfigMap',
      metadata: { annotations: { 'example.com/notes': annotation }, labels: { app: label } },
      data: { 'application.yaml': data },
      spec: { containers: [{ name: 'api', args: ['--config', arg] }] },
    };

    const ms = elapsed(() => redactObject(object));

    expect(ms).toBeLessThan(SAFETY_NET_MS);
  });
});

it('cuts at a space near the cap, so no secret is left cut in half', () => {
  const text = `${'word '.repeat(MAX_REDACTED_CHARS / 5 - 3)}token=${'x'.repeat(2_000)}`;

  const out = redactText(text);

  expect(out).not.toContain('xxx');
  expect(out).toMatch(/word\n… \[cut: 2\d{3} more characters not shown\]$/);
});
