import type { z } from 'zod';
import { CoxswainError } from '../errors.ts';
import { redactText } from '../policy/redact.ts';

/**
 * What one call of a tool touches: the cluster (unset: the cluster of the run it is part of) and
 * the namespaces it reads or changes. `[]` is a call that shows no namespace's objects (nodes);
 * `all` is one that may show any namespace, with `reason` saying why in words a person reads.
 */
export type ToolScope = {
  cluster?: string;
  namespaces: readonly string[] | 'all';
  reason?: string;
};

/**
 * A tool is one object, read or propose alike: a name, a description a model can act on, a zod
 * input schema, the verb the autonomy policy classifies it by (its tier comes from the policy,
 * never from here), `scope` (what a call touches, so the caller can refuse it before it runs)
 * and `run`. A read tool's output is text, bounded and redacted before it leaves `runTool`; a
 * propose tool's is the action it would take.
 */
export type Tool<Input extends z.ZodType, Context, Output = string> = {
  name: string;
  description: string;
  input: Input;
  /** What the policy calls this action: `list`, `logs`, `top`… */
  verb: string;
  scope(input: z.infer<Input>): ToolScope;
  run(context: Context, input: z.infer<Input>): Promise<Output>;
};

/** The scope of a call in one namespace, or in any when it names none. */
export function namespaceScope(namespace: string | undefined): ToolScope {
  return { namespaces: namespace === undefined ? 'all' : [namespace] };
}

export type ToolResult = { ok: true; text: string } | { ok: false; error: string };

/** Output beyond this many characters is cut, with a note saying how to narrow the request. */
export const MAX_OUTPUT = 12_000;

export function defineTool<Input extends z.ZodType, Context, Output = string>(
  tool: Tool<Input, Context, Output>,
): Tool<Input, Context, Output> {
  return tool;
}

/**
 * Validates the input, runs the tool and returns its output redacted and bounded. A failure is
 * a result too, with a message a person (or a model) can act on, never a crash.
 */
export async function runTool<Input extends z.ZodType, Context>(
  tool: Tool<Input, Context>,
  context: Context,
  input: unknown,
): Promise<ToolResult> {
  const parsed = parseToolInput(tool.name, tool.input, input);
  if (!parsed.ok) return parsed;
  return runParsedTool(tool, context, parsed.data);
}

/** `runTool` for an input already checked against the tool's schema. */
export async function runParsedTool<Input extends z.ZodType, Context>(
  tool: Tool<Input, Context>,
  context: Context,
  input: z.infer<Input>,
): Promise<ToolResult> {
  try {
    return { ok: true, text: bound(redactText(await tool.run(context, input))) };
  } catch (error) {
    if (error instanceof CoxswainError) return { ok: false, error: redactText(error.message) };
    // Anything else is a bug or a response of a shape nobody expected: still a result, so the
    // caller (a model, a person) learns the tool failed and the run goes on.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: redactText(`${tool.name} failed unexpectedly: ${reason}`) };
  }
}

/** A tool's input checked against its schema; a problem names the tool and each field. */
export function parseToolInput<Input extends z.ZodType>(
  name: string,
  schema: Input,
  input: unknown,
): { ok: true; data: z.infer<Input> } | { ok: false; error: string } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  return { ok: false, error: `invalid input for ${name}: ${issues.join('; ')}` };
}

export function bound(text: string, max = MAX_OUTPUT): string {
  if (text.length <= max) return text;
  const kept = text.slice(0, max);
  const cut = kept.lastIndexOf('\n');
  const shown = cut > max / 2 ? kept.slice(0, cut) : kept;
  const dropped = text.slice(shown.length).split('\n').filter(Boolean).length;
  return `${shown}\n… output cut: ${dropped} more lines; narrow the request (namespace, selector, tail)`;
}
