import { describe, expect, it } from 'vitest';
import { durationText, proposeSilence } from './silence.ts';

const m = (name: string, value: string, more: { isRegex?: boolean; isEqual?: boolean } = {}) => ({
  name,
  value,
  isRegex: more.isRegex ?? false,
  isEqual: more.isEqual ?? true,
});

describe('a silence as a proposed action', () => {
  it('reaches the namespace its one namespace matcher names, or every namespace', () => {
    const one = proposeSilence({
      cluster: 'prod',
      matchers: [m('alertname', 'KubePodCrashLooping'), m('namespace', 'shop')],
      durationMinutes: 120,
      comment: 'deploy',
    });
    const wide = proposeSilence({
      cluster: 'prod',
      matchers: [
        m('alertname', 'KubePodCrashLooping'),
        m('namespace', 'shop|pay', { isRegex: true }),
      ],
      durationMinutes: 90,
      comment: '',
    });

    expect(one.target).toEqual({
      cluster: 'prod',
      namespace: 'shop',
      kind: 'Silence',
      name: 'new',
    });
    expect(one.summary).toBe('silence {alertname="KubePodCrashLooping", namespace="shop"} for 2h');
    expect(wide.target.namespace).toBe('*');
    expect(wide.comment).toBe('silenced from Coxswain');
    expect(wide.summary).toMatch(/for 1h30m$/);
  });

  it('refuses matchers that would silence everything, and durations out of bounds', () => {
    const all = [
      [m('alertname', '.*', { isRegex: true })],
      [m('alertname', '')],
      [m('severity', 'x', { isEqual: false })],
    ];
    for (const matchers of all)
      expect(() =>
        proposeSilence({ cluster: 'c', matchers, durationMinutes: 60, comment: 'x' }),
      ).toThrow(/would silence every alert/);
    expect(() =>
      proposeSilence({
        cluster: 'c',
        matchers: [m('alertname', 'A')],
        durationMinutes: 0,
        comment: 'x',
      }),
    ).toThrow(/lasts from 1 minute/);
    expect(() =>
      proposeSilence({
        cluster: 'c',
        matchers: [m('bad-name', 'A')],
        durationMinutes: 5,
        comment: 'x',
      }),
    ).toThrow(/label name/);
  });

  it('gives the same digest to the same silence and a different one to another', () => {
    const a = proposeSilence({
      cluster: 'c',
      matchers: [m('alertname', 'A')],
      durationMinutes: 5,
      comment: 'x',
    });
    const b = proposeSilence({
      cluster: 'c',
      matchers: [m('alertname', 'A')],
      durationMinutes: 5,
      comment: 'x',
    });
    const c = proposeSilence({
      cluster: 'c',
      matchers: [m('alertname', 'A')],
      durationMinutes: 6,
      comment: 'x',
    });
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('says durations as people do', () => {
    expect([5, 60, 120, 90, 1440, 2880].map(durationText)).toEqual([
      '5m',
      '1h',
      '2h',
      '1h30m',
      '1d',
      '2d',
    ]);
  });
});
