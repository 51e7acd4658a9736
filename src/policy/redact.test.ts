import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactText } from './redact.ts';

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
