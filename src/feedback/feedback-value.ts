import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What a 👍 / 👎 button carries. Its value comes back in a click that anyone can forge the
 * content of (a Slack value, a Discord custom_id), so it carries no text and no id as such: the
 * rating and a short key derived from what is rated, which is looked up and checked against the
 * clicked channel before anything is recorded. The key keeps the value small however long the
 * run's id is (a console channel's runs have ids past Discord's 100 characters).
 */
export const Rating = z.enum(['up', 'down']);
export type Rating = z.infer<typeof Rating>;

/** An ask run's answer, or an incident's report (`incident.<24 hex>.<n>`). */
export const SubjectKind = z.enum(['answer', 'report']);
export type SubjectKind = z.infer<typeof SubjectKind>;

/** What is rated: a run's answer by its run id, or a report by its incident id. */
export type SubjectRef = { kind: SubjectKind; id: string };

const KEY_CHARS = 16;
const VALUE = new RegExp(`^(up|down)\\.([A-Za-z0-9_-]{${KEY_CHARS}})$`);

/** The key a subject is kept under: 96 bits of a digest of its kind and id. */
export function subjectKey(subject: SubjectRef): string {
  return createHash('sha256')
    .update(`${subject.kind}:${subject.id}`)
    .digest('base64url')
    .slice(0, KEY_CHARS);
}

/** A button's value: `up.<key>` or `down.<key>`. */
export function feedbackValue(rating: Rating, subject: SubjectRef): string {
  return `${rating}.${subjectKey(subject)}`;
}

/** The rating and key of a clicked value, or undefined for anything this product did not make. */
export function parseFeedbackValue(value: string): { rating: Rating; key: string } | undefined {
  const match = VALUE.exec(value);
  if (match === null) return undefined;
  return { rating: match[1] as Rating, key: match[2] as string };
}

export const RATING_MARK: Record<Rating, string> = { up: '👍', down: '👎' };
