import { describe, expect, it } from 'vitest';
import { formatLabels, MAX_LABEL_VALUE, MAX_LABELS_CHARS } from './labels.ts';

describe('formatLabels', () => {
  it('writes the metric name then the labels sorted by name', () => {
    expect(formatLabels({ __name__: 'up', job: 'node', instance: 'a:9100' })).toBe(
      'up{instance="a:9100", job="node"}',
    );
  });

  it('cuts a long value and says how much was cut', () => {
    const text = formatLabels({ message: 'x'.repeat(MAX_LABEL_VALUE + 80) });

    expect(text).toContain(`${'x'.repeat(MAX_LABEL_VALUE)}… (80 more chars)`);
    expect(text).not.toContain('x'.repeat(MAX_LABEL_VALUE + 1));
  });

  it('stops at a total size and counts the labels left out', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`label_${String(i).padStart(2, '0')}`, 'v'.repeat(30)]),
    );

    const text = formatLabels(labels);

    expect(text.length).toBeLessThan(MAX_LABELS_CHARS + 40);
    expect(text).toMatch(/… \d+ more labels\}$/);
    const shown = (text.match(/label_\d\d=/g) ?? []).length;
    expect(text).toContain(`… ${40 - shown} more labels`);
  });
});
