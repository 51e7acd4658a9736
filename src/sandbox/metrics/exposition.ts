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

  sample(labels: Labels, value: number): this {
    const pairs = Object.entries(labels)
      .map(([key, v]) => `${key}="${escapeLabel(v)}"`)
      .join(',');
    this.#lines.push(`${this.#name}{${pairs}} ${formatValue(value)}`);
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

export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
