import type { Labels } from './schema.ts';

/**
 * A series' labels as one bounded line: each value cut at `MAX_LABEL_VALUE` characters and the
 * whole at `MAX_LABELS_CHARS`, saying what was cut, so a label full of text (a log line, an error
 * message) cannot flood the model's context. Redaction happens on the tool's whole output.
 */
export const MAX_LABEL_VALUE = 120;
export const MAX_LABELS_CHARS = 400;

export function formatLabels(labels: Labels): string {
  const name = labels.__name__;
  const pairs = Object.entries(labels)
    .filter(([key]) => key !== '__name__')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${JSON.stringify(cutValue(value))}`);
  let body = '';
  let shown = 0;
  for (const pair of pairs) {
    if (body.length + pair.length + 2 > MAX_LABELS_CHARS) break;
    body += (shown === 0 ? '' : ', ') + pair;
    shown += 1;
  }
  const left = pairs.length - shown;
  const more = left > 0 ? `${shown === 0 ? '' : ', '}… ${left} more labels` : '';
  return `${name ?? ''}{${body}${more}}`;
}

function cutValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE) return value;
  return `${value.slice(0, MAX_LABEL_VALUE)}… (${value.length - MAX_LABEL_VALUE} more chars)`;
}
