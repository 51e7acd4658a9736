import { z } from 'zod';
import { defineTool, namespaceScope, type ToolScope } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import {
  MAX_SILENCE_MINUTES,
  proposeExpiry,
  proposeSilence,
  type SilenceAction,
  SilenceMatcher,
} from './silence.ts';

/**
 * The prometheus-analyst's write tools: a silence created or expired in Alertmanager, each only
 * proposed; it takes effect once a person approves the card showing its matchers and duration.
 */
export type SilenceContext = MetricsContext & { cluster: string };

const EVERY_NAMESPACE: ToolScope = {
  namespaces: 'all',
  reason: 'a silence without a namespace="…" matcher reaches alerts of every namespace',
};

const Matchers = z
  .array(
    z.object({
      name: SilenceMatcher.shape.name.describe('Label name, such as alertname or namespace'),
      value: SilenceMatcher.shape.value,
      regex: z.boolean().default(false).describe('The value is a regular expression'),
      negate: z.boolean().default(false).describe('Match alerts whose label differs'),
    }),
  )
  .min(1)
  .max(20);

function matchersOf(input: z.infer<typeof Matchers>) {
  return input.map((m) => ({ name: m.name, value: m.value, isRegex: m.regex, isEqual: !m.negate }));
}

export const silenceCreateTool = defineTool({
  name: 'silence_create',
  description:
    'Propose an Alertmanager silence for the alerts matching every matcher, for a duration from the approval. Name the alert (alertname) and its namespace; a silence hides alerts from on-call, so keep it narrow and short, and say why in the comment.',
  verb: 'silence',
  input: z.object({
    matchers: Matchers,
    durationMinutes: z.number().int().min(1).max(MAX_SILENCE_MINUTES).default(120),
    comment: z.string().min(1).max(500).describe('Why the alerts are silenced'),
  }),
  scope(input): ToolScope {
    const ns = input.matchers.filter((m) => m.name === 'namespace' && !m.regex && !m.negate);
    return ns.length === 1 && ns[0] !== undefined ? namespaceScope(ns[0].value) : EVERY_NAMESPACE;
  },
  run: async (context: SilenceContext, input): Promise<SilenceAction> =>
    proposeSilence({
      cluster: context.cluster,
      matchers: matchersOf(input.matchers),
      durationMinutes: input.durationMinutes,
      comment: input.comment,
    }),
});

export const silenceExpireTool = defineTool({
  name: 'silence_expire',
  description:
    'Propose expiring an Alertmanager silence by its id (from the silences tool), so the alerts it hides reach on-call again.',
  verb: 'silence',
  input: z.object({
    id: z.string().min(1).max(100).describe('The silence id'),
    comment: z.string().max(500).default('').describe('Why it is ended early'),
  }),
  scope: () => EVERY_NAMESPACE,
  run: async (context: SilenceContext, input): Promise<SilenceAction> =>
    proposeExpiry(context, {
      cluster: context.cluster,
      silenceId: input.id,
      comment: input.comment,
    }),
});

export const SILENCE_TOOLS = [silenceCreateTool, silenceExpireTool] as const;
