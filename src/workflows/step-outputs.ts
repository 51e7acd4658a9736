import type { YamlStep } from './yaml-schema.ts';

/**
 * A step's declared `outputs`: what an agent is asked to end its answer with, how that is read
 * back, and the check that what a step gave matches what it declared. A mismatch fails the step,
 * naming each field, rather than letting a later step read a wrong value.
 */
type Declared = NonNullable<YamlStep['outputs']>;

function fields(declared: Declared): [string, string | undefined][] {
  return Array.isArray(declared)
    ? declared.map((name) => [name, undefined])
    : Object.entries(declared).map(([name, type]) => [name, type]);
}

/** The instruction appended to an agent step's task. */
export function outputsInstruction(declared: Declared): string {
  const shape = fields(declared)
    .map(([name, type]) => `"${name}": ${type ?? 'string, number, boolean, list or object'}`)
    .join(', ');
  return `\n\nEnd your answer with one line holding only a JSON object with these fields: {${shape}}.`;
}

/** The last JSON object in an answer, or undefined. */
export function lastJsonObject(answer: string): Record<string, unknown> | undefined {
  for (let end = answer.lastIndexOf('}'); end !== -1; end = answer.lastIndexOf('}', end - 1)) {
    for (
      let start = answer.lastIndexOf('{', end);
      start !== -1;
      start = answer.lastIndexOf('{', start - 1)
    ) {
      try {
        const value: unknown = JSON.parse(answer.slice(start, end + 1));
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          return value as Record<string, unknown>;
      } catch {
        // not this span; try a wider one
      }
      if (end - start > 20_000) break;
    }
  }
  return undefined;
}

const TYPE_CHECK: Readonly<Record<string, (value: unknown) => boolean>> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  list: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/**
 * The declared fields of `values`, each present and of its type; or every field that is not,
 * as one message.
 */
export function checkOutputs(
  declared: Declared | undefined,
  values: Readonly<Record<string, unknown>>,
): { ok: true; outputs: Record<string, unknown> } | { ok: false; error: string } {
  if (declared === undefined) return { ok: true, outputs: { ...values } };
  const problems: string[] = [];
  const outputs: Record<string, unknown> = {};
  for (const [name, type] of fields(declared)) {
    const value = values[name];
    if (value === undefined || value === null) {
      problems.push(`${name}: missing${type === undefined ? '' : ` (${type} expected)`}`);
      continue;
    }
    if (type !== undefined && !(TYPE_CHECK[type]?.(value) ?? true)) {
      problems.push(`${name}: ${JSON.stringify(value).slice(0, 60)} is not a ${type}`);
      continue;
    }
    outputs[name] = value;
  }
  if (problems.length > 0)
    return {
      ok: false,
      error: `its outputs do not match what it declares: ${problems.join('; ')}`,
    };
  return { ok: true, outputs };
}
