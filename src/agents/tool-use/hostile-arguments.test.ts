import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HOSTILE_KEYS,
  HUGE,
  hostileCases,
  prototypePolluted,
  SMALL_VALUES,
} from '../../../test/support/hostile-values.ts';
import { createLogger } from '../../observability/logger.ts';
import { ARGOCD_READ_TOOLS, ARGOCD_WRITE_TOOLS } from '../../tools/argocd/index.ts';
import { gitProposeChangeTool } from '../../tools/git/propose-tool.ts';
import { GIT_READ_TOOLS } from '../../tools/git/read-tools.ts';
import { KUBERNETES_WRITE_TOOLS } from '../../tools/kubernetes/actions/tools.ts';
import { KUBERNETES_READ_TOOLS } from '../../tools/kubernetes/read/index.ts';
import { METRICS_READ_TOOLS } from '../../tools/metrics/index.ts';
import { SILENCE_TOOLS } from '../../tools/metrics/silence-tools.ts';
import type { Tool } from '../../tools/tool.ts';
import { type AgentTool, runToolUse } from './model-tools.ts';

/**
 * Whatever a model puts in a tool call's arguments — the wrong types, megabytes, 10,000 levels
 * of nesting, invisible characters, `__proto__` — the call comes back as a tool error for the
 * model to read (`is_error`), never as a throw out of the run. The tools are the product's own
 * schemas and scopes; their `run` is replaced by a recorder, so a call that gets through is seen
 * and nothing reaches a cluster, a repository or Alertmanager.
 */
const TOOLS: readonly Tool<z.ZodType, never, unknown>[] = [
  ...KUBERNETES_READ_TOOLS,
  ...ARGOCD_READ_TOOLS,
  ...KUBERNETES_WRITE_TOOLS,
  ...ARGOCD_WRITE_TOOLS,
  ...METRICS_READ_TOOLS,
  ...SILENCE_TOOLS,
  ...GIT_READ_TOOLS,
  gitProposeChangeTool,
] as readonly Tool<z.ZodType, never, unknown>[];

/** A run that may read every namespace: what is refused here is refused for its arguments. */
const SCOPE = { cluster: 'prod' };
const log = createLogger('silent');

type JsonSchema = {
  type?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  minItems?: number;
  minLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
};

/** Strings a field of a tool may well accept: a namespace, a kind, a quantity, a PromQL query. */
const CANDIDATES = ['payments', 'Deployment', '500m', 'up', 'apps/web/deployment.yaml'];

/** A plausible value for a JSON schema: the base each hostile value is put into, field by field. */
function example(schema: JsonSchema): unknown {
  if (schema.anyOf?.[0] !== undefined) return example(schema.anyOf[0]);
  if (schema.enum !== undefined) return schema.enum[0];
  switch (schema.type) {
    case 'string': {
      const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
      return CANDIDATES.find((c) => pattern?.test(c) ?? true) ?? 'payments';
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return (schema.minItems ?? 0) > 0 && schema.items ? [example(schema.items)] : [];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, child]) => [key, example(child)]),
      );
    default:
      return null;
  }
}

/** The tool's own schema and scope, with a `run` that records the calls that got through. */
function recorded(tool: Tool<z.ZodType, never, unknown>, reached: unknown[]): AgentTool {
  return {
    ...tool,
    async run(_call, input) {
      reached.push(input);
      return { content: 'recorded', isError: false };
    },
  };
}

describe('hostile tool arguments', () => {
  const bases = TOOLS.map((tool) => {
    const schema = z.toJSONSchema(tool.input, { io: 'input' }) as JsonSchema;
    const base = example(schema);
    const cases = [
      ...hostileCases(base as never, { values: SMALL_VALUES, keys: HOSTILE_KEYS }),
      // The huge values as the whole input, and a megabyte in each field of the top level.
      ...HUGE.map((value) => ({ name: `(root) ← ${value.name}`, json: value.json })),
      ...hostileCases(base as never, { values: HUGE.slice(0, 1), keys: [] }).filter((c) =>
        /^\w+ ← /.test(c.name),
      ),
    ];
    return { tool, base, cases, valid: tool.input.safeParse(base).success };
  });
  const total = bases.reduce((sum, b) => sum + b.cases.length, 0);

  it(`starts from a valid call of each of the ${bases.length} tools (${total} hostile calls in all)`, async () => {
    for (const { tool, base } of bases) {
      const reached: unknown[] = [];
      const call = { type: 'tool_use', id: 'c1', name: tool.name, input: base };

      const outcome = await runToolUse([recorded(tool, reached)], call, SCOPE, log);

      expect(outcome.isError, tool.name).toBe(false);
      expect(reached, tool.name).toHaveLength(1);
    }
    expect(bases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(bases.map((b) => [b.tool.name, b.cases.length, b] as const))(
    '%s: %i hostile calls, each a tool error or a valid input',
    async (name, _count, { tool, cases }) => {
      const reached: unknown[] = [];
      const tools = [recorded(tool, reached)];
      let refused = 0;

      for (const hostile of cases) {
        const input: unknown = JSON.parse(hostile.json);
        const before = reached.length;
        const outcome = await runToolUse(
          tools,
          { type: 'tool_use', id: 'c1', name, input },
          SCOPE,
          log,
        );

        if (outcome.isError) {
          refused++;
          expect(outcome.content, hostile.name).toContain(`invalid input for ${name}: `);
          expect(reached.length, hostile.name).toBe(before);
        } else {
          expect(reached.length, hostile.name).toBe(before + 1);
          expect(tool.input.safeParse(reached.at(-1)).success, hostile.name).toBe(true);
        }
        expect(prototypePolluted(), hostile.name).toBe(false);
      }

      expect(refused).toBeGreaterThan(cases.length / 2);
    },
  );

  it('refuses calls of tools that do not exist, whatever they are named', async () => {
    const tools = TOOLS.map((tool) => recorded(tool, []));
    for (const name of [...HOSTILE_KEYS, 'toString', 'hasOwnProperty']) {
      const outcome = await runToolUse(
        tools,
        { type: 'tool_use', id: 'c1', name, input: {} },
        SCOPE,
        log,
      );

      expect(outcome.isError).toBe(true);
      expect(outcome.content).toContain('there is no tool named');
    }
  });
});
