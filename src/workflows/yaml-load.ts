import { basename, extname } from 'node:path';
import { type Document, isCollection, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import type { Autonomy } from '../config/policy-schema.ts';
import { WorkflowName } from '../queue/command-data.ts';
import { formatPath } from '../shared/format-issues.ts';
import { checkActions } from './yaml-actions.ts';
import { checkExpressions } from './yaml-expressions.ts';
import { lineAt, lineOf } from './yaml-lines.ts';
import { stepName, type YamlWorkflow, YamlWorkflowSchema } from './yaml-schema.ts';
import { checkStructure, isRecord, type PathProblem } from './yaml-structure.ts';

/**
 * Reads one YAML workflow file's text: every problem as `FILE:LINE: FIELD: message`, the line
 * being that of the field the problem is about (or of its nearest parent in the file), templates
 * and conditions included.
 */
export function readYamlWorkflow(
  text: string,
  file: string,
  policy: Autonomy,
  /** Workflows already loaded, by name: their files. */
  taken: ReadonlyMap<string, string> = new Map(),
): { ok: true; workflow: YamlWorkflow } | { ok: false; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      ok: false,
      problems: doc.errors.map(
        (error) => `${file}:${lineAt(lines, error.pos[0])}: (syntax): ${error.message}`,
      ),
    };
  // In the order of the file, as a person reads it.
  const say = (problems: readonly PathProblem[]) =>
    problems
      .map((problem) => ({ problem, line: lineOf(doc, lines, problem.path) }))
      .sort((a, b) => a.line - b.line)
      .map(
        ({ problem, line }) =>
          `${file}:${line}: ${formatPath(problem.path) || '(root)'}: ${problem.message}`,
      );
  const unquoted = unquotedTemplates(doc, lines);
  if (unquoted.length > 0)
    return { ok: false, problems: unquoted.map((line) => `${file}:${line}: ${UNQUOTED}`) };
  let raw: unknown;
  try {
    // Aliases that expand without end (a "billion laughs") are refused, not expanded.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [`${file}:1: (syntax): ${(error as Error).message}`] };
  }
  const parsed = YamlWorkflowSchema.safeParse(raw);
  const name = nameOf(raw, file);
  // Every problem at once: the whole-file checks read the steps leniently, right or not.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => fromIssue(issue))),
    ...checkName(name, raw, taken),
    ...checkStructure(raw, policy),
  ];
  if (!parsed.success) return { ok: false, problems: say(problems) };
  const steps = parsed.data.steps.map((step, index) => ({ ...step, name: stepName(step, index) }));
  const workflow = { ...parsed.data, name, steps, file };
  // Templates, conditions and actions once the shape is right (what exists depends on it), said
  // with the whole-file problems, so that one round of fixes is enough.
  const all = [...problems, ...checkExpressions(workflow), ...checkActions(workflow)];
  if (all.length > 0) return { ok: false, problems: say(all) };
  return { ok: true, workflow };
}

const UNQUOTED =
  '(template): a value that starts with {{ must be quoted ("{{ … }}"): unquoted, YAML reads the braces as a map';

/**
 * The lines of map keys that are themselves maps or lists: what an unquoted `{{ x }}` parses as.
 * A workflow never means one, and the library would stringify it with a warning.
 */
function unquotedTemplates(doc: Document, lines: LineCounter): number[] {
  const found: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isCollection(key) && key.range !== undefined && key.range !== null)
        found.push(lineAt(lines, key.range[0]));
    },
  });
  return found;
}

/** The `name:` of the file, or its file name without the extension. */
function nameOf(raw: unknown, file: string): string {
  const given = isRecord(raw) ? raw.name : undefined;
  return typeof given === 'string' ? given : basename(file, extname(file));
}

function checkName(name: string, raw: unknown, taken: ReadonlyMap<string, string>): PathProblem[] {
  const given = isRecord(raw) && raw.name !== undefined;
  // A name: that is not a name is the schema's to say.
  if (!given && !WorkflowName.safeParse(name).success)
    return [{ path: [], message: `"${name}" is not a workflow name: give the file a name:` }];
  const other = taken.get(name);
  if (other === undefined) return [];
  return [{ path: ['name'], message: `a workflow named ${name} is already in ${other}` }];
}

/** One problem per unknown key, at the key; a missing field said in words. */
function fromIssue(issue: z.core.$ZodIssue, within: readonly PropertyKey[] = []): PathProblem[] {
  const path = [...within, ...issue.path].map((part) =>
    typeof part === 'number' ? part : String(part),
  );
  if (issue.code === 'invalid_union') return fromUnion(issue, path);
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: [...path, key], message: 'is not a field here' }));
  // A map's key refused: what is wrong with the key, not zod's "Invalid key in record".
  if (issue.code === 'invalid_key')
    return issue.issues.map((inner) => ({ path, message: `name ${inner.message}` }));
  if (issue.code === 'invalid_type' && path.length === 0)
    return [{ path, message: 'must be a map of workflow fields (name, trigger, steps…)' }];
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined'))
    return [{ path, message: 'is required' }];
  return [{ path, message: issue.message }];
}

/**
 * A field with several shapes (`schedule: CRON` or `schedule: { cron }`): the problems of the one
 * shape the value has, rather than zod's "Invalid input".
 */
function fromUnion(issue: z.core.$ZodIssueInvalidUnion, path: PathProblem['path']): PathProblem[] {
  const shaped = issue.errors.filter(
    (issues) => !issues.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  const [only] = shaped;
  if (shaped.length !== 1 || only === undefined)
    return [{ path, message: 'is none of the shapes this field may have' }];
  return only.flatMap((inner) => fromIssue(inner, path));
}
