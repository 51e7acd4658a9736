import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import type { MetricsContext } from './context.ts';
import { alertmanagerGet, alertmanagerWrite } from './http.ts';
import { GettableSilence, GettableSilences } from './schema.ts';

/**
 * A silence as a proposed action: created for the matchers and duration shown on the card, or an
 * existing silence expired. Built without writing anything; executed after approval against
 * Alertmanager's API v2, exactly once: a silence created by a proposal carries the proposal's
 * mark in its comment, so a retried execution finds it instead of creating a second one.
 */

export const MAX_SILENCE_MINUTES = 14 * 24 * 60;

export const SilenceMatcher = z.object({
  name: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name')
    .max(100),
  value: z.string().max(500),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
export type SilenceMatcher = z.infer<typeof SilenceMatcher>;

export const SilenceAction = z.object({
  type: z.enum(['silence-create', 'silence-expire']),
  verb: z.literal('silence'),
  /**
   * What the silence reaches, for the bindings: the namespace its `namespace="…"` matcher names,
   * or `*` when it names none (it then silences alerts of every namespace).
   */
  target: z.object({
    cluster: z.string().min(1),
    namespace: z.string().min(1),
    kind: z.literal('Silence'),
    /** The silence's id when expiring one; `new` when creating. */
    name: z.string().min(1).max(100),
  }),
  matchers: z.array(SilenceMatcher).min(1).max(20),
  /** How long a created silence lasts from its execution; unused when expiring. */
  durationMinutes: z.number().int().min(1).max(MAX_SILENCE_MINUTES),
  comment: z.string().min(1).max(500),
  summary: z.string().min(1).max(300),
  /** Always empty: a silence changes no object's fields. */
  changes: z.array(z.object({ path: z.string(), from: z.string(), to: z.string() })).default([]),
  /** For people: the matchers, the duration and why, one per line. */
  diff: z.string(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SilenceAction = z.infer<typeof SilenceAction>;

export function matcherText(m: SilenceMatcher): string {
  return `${m.name}${m.isEqual ? '=' : '!='}${m.isRegex ? '~' : ''}${JSON.stringify(m.value)}`;
}

export function durationText(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return minutes > 60 ? `${Math.floor(minutes / 60)}h${minutes % 60}m` : `${minutes}m`;
}

/** The namespace a silence reaches: its one `namespace="x"` matcher, or every namespace. */
function namespaceOf(matchers: readonly SilenceMatcher[]): string {
  const exact = matchers.filter((m) => m.name === 'namespace' && m.isEqual && !m.isRegex);
  return exact.length === 1 && exact[0]?.value !== '' ? (exact[0]?.value ?? '*') : '*';
}

/** A silence to create: refused when its matchers would silence everything. */
export function proposeSilence(input: {
  cluster: string;
  matchers: readonly SilenceMatcher[];
  durationMinutes: number;
  comment: string;
}): SilenceAction {
  const matchers = input.matchers.map((m) => SilenceMatcher.parse(m));
  if (matchers.length === 0)
    throw new CoxswainError('silence', 'a silence needs at least one matcher');
  if (matchers.every(matchesEmpty))
    throw new CoxswainError(
      'silence',
      'these matchers would silence every alert; name the alert (alertname="…") or its labels',
    );
  const duration = Math.round(input.durationMinutes);
  if (!(duration >= 1 && duration <= MAX_SILENCE_MINUTES))
    throw new CoxswainError(
      'silence',
      `a silence lasts from 1 minute to ${MAX_SILENCE_MINUTES / 1440} days`,
    );
  const comment = input.comment.trim().slice(0, 500) || 'silenced from Coxswain';
  const shown = matchers.map(matcherText).join(', ');
  return {
    type: 'silence-create',
    verb: 'silence',
    target: {
      cluster: input.cluster,
      namespace: namespaceOf(matchers),
      kind: 'Silence',
      name: 'new',
    },
    matchers,
    durationMinutes: duration,
    comment,
    summary: `silence {${shown}} for ${durationText(duration)}`.slice(0, 300),
    changes: [],
    diff: [
      ...matchers.map((m) => `matcher   ${matcherText(m)}`),
      `duration  ${durationText(duration)} from approval`,
      `comment   ${comment}`,
    ].join('\n'),
    digest: digestOf({ type: 'silence-create', matchers, duration, comment }),
  };
}

/** Expiring an existing silence: read first, so the card shows what it silences. */
export async function proposeExpiry(
  context: MetricsContext,
  input: { cluster: string; silenceId: string; comment: string },
): Promise<SilenceAction> {
  const silence = await readSilence(context, input.silenceId);
  if (silence === undefined)
    throw new CoxswainError('silence', `Alertmanager has no silence ${input.silenceId}`);
  if (silence.status.state === 'expired')
    throw new CoxswainError('no_change', `silence ${input.silenceId} has already expired`);
  const matchers = silence.matchers.map((m) =>
    SilenceMatcher.parse({ ...m, isEqual: m.isEqual ?? true }),
  );
  const comment = input.comment.trim().slice(0, 500) || 'expired from Coxswain';
  const shown = matchers.map(matcherText).join(', ');
  return {
    type: 'silence-expire',
    verb: 'silence',
    target: {
      cluster: input.cluster,
      namespace: namespaceOf(matchers),
      kind: 'Silence',
      name: silence.id,
    },
    matchers,
    durationMinutes: 1,
    comment,
    summary: `expire silence ${silence.id} {${shown}}`.slice(0, 300),
    changes: [],
    diff: [
      `silence   ${silence.id} (${silence.status.state}, until ${silence.endsAt})`,
      ...matchers.map((m) => `matcher   ${matcherText(m)}`),
      `created   by ${silence.createdBy.slice(0, 100)}: ${silence.comment.slice(0, 200)}`,
      `why       ${comment}`,
    ].join('\n'),
    digest: digestOf({ type: 'silence-expire', id: silence.id, comment }),
  };
}

/** The proposal's mark in a silence's comment: how a retried execution finds its own silence. */
function markOf(proposalId: string): string {
  return `[coxswain proposal ${proposalId}]`;
}

export type SilenceOutcome = { silenceId: string; summary: string };

/** Creates the silence (once) or expires it. */
export async function executeSilence(
  context: MetricsContext,
  action: SilenceAction,
  proposalId: string,
  approvedBy: string,
  now: Date,
): Promise<SilenceOutcome> {
  if (action.type === 'silence-expire') {
    await alertmanagerWrite(
      context,
      'DELETE',
      `/api/v2/silence/${encodeURIComponent(action.target.name)}`,
    );
    return { silenceId: action.target.name, summary: `silence ${action.target.name} expired` };
  }
  const existing = await ownSilence(context, action, proposalId);
  if (existing !== undefined)
    return { silenceId: existing.id, summary: `silence ${existing.id} already created` };
  const endsAt = new Date(now.getTime() + action.durationMinutes * 60_000);
  const answer = z.object({ silenceID: z.string().min(1) }).safeParse(
    await alertmanagerWrite(context, 'POST', '/api/v2/silences', {
      matchers: action.matchers,
      startsAt: now.toISOString(),
      endsAt: endsAt.toISOString(),
      createdBy: `coxswain (approved by ${approvedBy})`.slice(0, 200),
      comment: `${action.comment} ${markOf(proposalId)}`,
    }),
  );
  if (!answer.success)
    throw new CoxswainError('silence', 'Alertmanager accepted the silence without naming it');
  return {
    silenceId: answer.data.silenceID,
    summary: `silence ${answer.data.silenceID} created until ${endsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}

/** Whether the action is in effect: the proposal's silence exists, or the silence has expired. */
export async function silenceInPlace(
  context: MetricsContext,
  action: SilenceAction,
  proposalId: string,
): Promise<boolean> {
  if (action.type === 'silence-expire')
    return (await readSilence(context, action.target.name))?.status.state === 'expired';
  return (await ownSilence(context, action, proposalId)) !== undefined;
}

/** What Alertmanager says of the silence now, as the check after the change. */
export async function verifySilence(
  context: MetricsContext,
  action: SilenceAction,
  proposalId: string,
): Promise<{ ok: boolean; text: string }> {
  const silence =
    action.type === 'silence-expire'
      ? await readSilence(context, action.target.name)
      : await ownSilence(context, action, proposalId);
  if (silence === undefined) return { ok: false, text: 'Alertmanager does not show the silence' };
  const want = action.type === 'silence-expire' ? ['expired'] : ['active', 'pending'];
  return {
    ok: want.includes(silence.status.state),
    text: `Alertmanager shows silence ${silence.id} ${silence.status.state} until ${silence.endsAt}.`,
  };
}

async function ownSilence(
  context: MetricsContext,
  action: SilenceAction,
  proposalId: string,
): Promise<GettableSilence | undefined> {
  const all = GettableSilences.parse(await alertmanagerGet(context, '/api/v2/silences', {}));
  return all.find(
    (s) =>
      s.status.state !== 'expired' &&
      s.comment.includes(markOf(proposalId)) &&
      sameMatchers(s, action),
  );
}

async function readSilence(
  context: MetricsContext,
  id: string,
): Promise<GettableSilence | undefined> {
  if (!/^[\w-]{1,100}$/.test(id))
    throw new CoxswainError('silence', `${JSON.stringify(id.slice(0, 100))} is not a silence id`);
  try {
    return GettableSilence.parse(
      await alertmanagerGet(context, `/api/v2/silence/${encodeURIComponent(id)}`, {}),
    );
  } catch (error) {
    if (error instanceof CoxswainError && error.code === 'metrics_query') return undefined;
    throw error;
  }
}

function sameMatchers(silence: GettableSilence, action: SilenceAction): boolean {
  const key = (m: SilenceMatcher) => matcherText(m);
  const theirs = silence.matchers.map((m) => key({ ...m, isEqual: m.isEqual ?? true })).sort();
  const ours = action.matchers.map(key).sort();
  return theirs.join('\n') === ours.join('\n');
}

function matchesEmpty(m: SilenceMatcher): boolean {
  if (!m.isRegex) return m.isEqual ? m.value === '' : m.value !== '';
  try {
    const matches = new RegExp(`^(?:${m.value})$`).test('');
    return m.isEqual ? matches : !matches;
  } catch {
    return false;
  }
}

function digestOf(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
