import { describe, expect, it } from 'vitest';
import { feedbackValue, parseFeedbackValue, subjectKey } from './feedback-value.ts';

const answer = { kind: 'answer' as const, id: 'ask.slack.C0OPS.1700000000.000100' };
const report = { kind: 'report' as const, id: `incident.${'a1'.repeat(12)}.3` };

describe('feedbackValue', () => {
  it('reads back as the rating and the key of what it rates', () => {
    expect(parseFeedbackValue(feedbackValue('up', answer))).toEqual({
      rating: 'up',
      key: subjectKey(answer),
    });
    expect(parseFeedbackValue(feedbackValue('down', report))).toEqual({
      rating: 'down',
      key: subjectKey(report),
    });
  });

  it('stays short whatever the id, and tells kinds and ids apart', () => {
    const long = { kind: 'answer' as const, id: `ask.web.${'c'.repeat(80)}.${'m'.repeat(40)}` };

    expect(feedbackValue('down', long).length).toBeLessThanOrEqual(21);
    expect(subjectKey(long)).toBe(subjectKey({ ...long }));
    expect(subjectKey({ kind: 'report', id: answer.id })).not.toBe(subjectKey(answer));
    expect(subjectKey({ ...answer, id: `${answer.id}1` })).not.toBe(subjectKey(answer));
  });
});

describe('parseFeedbackValue', () => {
  const key = subjectKey(answer);

  it.each([
    ['an unknown rating', `meh.${key}`],
    ['no key', 'up.'],
    ['a key too short', `up.${key.slice(1)}`],
    ['a key too long', `up.${key}x`],
    ['characters outside the key alphabet', `up.${key.slice(0, 15)}*`],
    ['a run id instead of a key', `up.${answer.id}`],
    ['text around a valid value', ` up.${key}`],
    ['a second line', `up.${key}\nup.${key}`],
    ['an upper-case rating', `UP.${key}`],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    expect(parseFeedbackValue(value)).toBeUndefined();
  });
});
