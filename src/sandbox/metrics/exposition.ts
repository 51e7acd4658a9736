/**
 * The Prometheus text exposition format (version 0.0.4): one `# HELP` and `# TYPE` line per
 * family, then its samples, label values escaped as the format requires.
 */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

export class Exposition {
  readonly #lines: string[] = [];

  /** Starts a family; the samples added after it belong to it. */
  family(name: string, type: MetricType, help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    this.#name = name;
    return this;
  }

  /** A sample of the current family; `labels` may be text from `labelText` made once and reused. */
  sample(labels: Labels | string, value: number): this {
    const text = typeof labels === 'string' ? labels : labelText(labels);
    this.#lines.push(`${this.#name}{${text}} ${formatValue(value)}`);
    return this;
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }

  #name = '';
}

function escapeHelp(help: string): string {
  return help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

/** Labels as the text between the braces; join two with a comma to extend one. */
export function labelText(labels: Labels): string {
  let text = '';
  for (const key in labels)
    text += `${text === '' ? '' : ','}${key}="${escapeLabel(labels[key] ?? '')}"`;
  return text;
}

export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
