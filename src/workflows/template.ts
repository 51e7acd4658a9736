import {
  type Compiled,
  compileExpression,
  type Evaluated,
  type Expression,
  type ExpressionContext,
  type ExpressionNames,
  type ExpressionValue,
  evaluate,
  expressionType,
  type Failed,
} from './expression.ts';

/**
 * Templates (`"{{ alert.labels.namespace }}"`, `"pods in {{ inputs.namespace }}"`) and conditions
 * (`condition:`, `confirm_if:`) in workflow files. A template that is exactly one `{{ expr }}`
 * keeps the value's type (a number stays a number, a list a list); otherwise each part is
 * stringified and the text joined. A condition is a bare expression or one `{{ expr }}`, and must
 * give true or false.
 */
const MAX_TEMPLATE_LENGTH = 20_000;
const MAX_TEMPLATE_PARTS = 50;

type Part = { text: string } | { expression: Expression };
declare const checkedTemplate: unique symbol;
export type Template = { readonly parts: readonly Part[]; readonly [checkedTemplate]: true };
declare const checkedCondition: unique symbol;
export type Condition = { readonly expression: Expression; readonly [checkedCondition]: true };

type Options = { names: ExpressionNames };

export function compileTemplate(
  text: string,
  options: Options,
): Compiled<{ template: Template }> | Failed {
  if (text.length > MAX_TEMPLATE_LENGTH)
    return { ok: false, error: `the text is longer than ${MAX_TEMPLATE_LENGTH} characters` };
  const parts: Part[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open === -1) break;
    const close = closingBraces(text, open + 2);
    if (close === -1) return { ok: false, error: `column ${open + 1}: "{{" has no closing "}}"` };
    if (parts.filter((part) => 'expression' in part).length >= MAX_TEMPLATE_PARTS)
      return { ok: false, error: `more than ${MAX_TEMPLATE_PARTS} {{ }} parts` };
    if (open > at) parts.push({ text: text.slice(at, open) });
    const compiled = compileExpression(text.slice(open + 2, close), {
      ...options,
      offset: open + 2,
    });
    if (!compiled.ok) return compiled;
    parts.push({ expression: compiled.expression });
    at = close + 2;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return { ok: true, template: { parts } as unknown as Template };
}

export function renderTemplate(template: Template, context: ExpressionContext): Evaluated {
  const [only] = template.parts;
  if (template.parts.length === 1 && only !== undefined && 'expression' in only)
    return evaluate(only.expression, context);
  let out = '';
  for (const part of template.parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const result = evaluate(part.expression, context);
    if (!result.ok) return result;
    out += stringify(result.value);
  }
  return { ok: true, value: out };
}

/** `actions_proposed`, `steps.x.cause == 'oom'`, or the same inside one `{{ }}`. */
export function compileCondition(
  text: string,
  options: Options,
): Compiled<{ condition: Condition }> | Failed {
  const inner = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  const unwrapped = inner?.[1] !== undefined && !inner[1].includes('}}');
  const source = unwrapped ? (inner?.[1] ?? '') : text;
  const compiled = compileExpression(source, {
    ...options,
    offset: unwrapped ? text.indexOf('{{') + 2 : 0,
  });
  if (!compiled.ok) return compiled;
  const type = expressionType(compiled.expression);
  if (type !== 'bool' && type !== 'dyn')
    return { ok: false, error: `the condition gives a ${type}, not true or false` };
  return { ok: true, condition: { expression: compiled.expression } as unknown as Condition };
}

export function evaluateCondition(
  condition: Condition,
  context: ExpressionContext,
): Evaluated<boolean> {
  const result = evaluate(condition.expression, context);
  if (!result.ok) return result;
  if (typeof result.value !== 'boolean')
    return {
      ok: false,
      error: `the condition gave ${JSON.stringify(result.value)}, not true or false`,
    };
  return { ok: true, value: result.value };
}

function stringify(value: ExpressionValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  return JSON.stringify(value);
}

/** The offset of the `}}` closing a part, skipping string literals; -1 when there is none. */
function closingBraces(text: string, from: number): number {
  let at = from;
  while (at < text.length) {
    const ch = text.charAt(at);
    if (text.startsWith('}}', at)) return at;
    if (ch === '"' || ch === "'") {
      at++;
      while (at < text.length && text.charAt(at) !== ch) at += text.charAt(at) === '\\' ? 2 : 1;
    }
    at++;
  }
  return -1;
}
