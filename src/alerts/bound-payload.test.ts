import { describe, expect, it } from 'vitest';
import { alertFixture, firstAlert } from '../../test/support/fixtures.ts';
import { boundPayload, PAYLOAD_BOUNDS } from './bound-payload.ts';
import { AlertmanagerPayload } from './schema.ts';

const payload = (name: 'firing' | 'multi') => AlertmanagerPayload.parse(alertFixture(name));
const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('boundPayload', () => {
  it('keeps a real notification as it came', () => {
    const input = payload('multi');

    const { payload: kept, trimmed } = boundPayload(input);

    expect(kept).toEqual(input);
    expect(trimmed).toEqual({ values: 0, entries: 0, alerts: 0 });
  });

  it('trims a long annotation and says by how much', () => {
    const input = payload('firing');
    firstAlert(input).annotations.description = `${'d'.repeat(2_000)}${'x'.repeat(12_345)}`;

    const { payload: kept, trimmed } = boundPayload(input);

    const description = firstAlert(kept).annotations.description ?? '';
    expect(description).toBe(`${'d'.repeat(2_000)}… [trimmed 12,345 characters]`);
    expect(trimmed.values).toBe(1);
  });

  it('drops labels past the count, names past the length, and fields Alertmanager never sends', () => {
    const input = payload('firing');
    const alert = firstAlert(input);
    for (let i = 0; i < 100; i++) alert.labels[`extra_${i}`] = 'v';
    alert.labels['n'.repeat(500)] = 'long name';
    Object.assign(alert, { junk: 'j'.repeat(500_000) });
    Object.assign(input, { padding: 'p'.repeat(500_000) });

    const { payload: kept, trimmed } = boundPayload(input);

    expect(Object.keys(firstAlert(kept).labels)).toHaveLength(PAYLOAD_BOUNDS.entries);
    expect(JSON.stringify(kept)).not.toContain('jjjj');
    expect(JSON.stringify(kept)).not.toContain('pppp');
    expect(trimmed.entries).toBeGreaterThan(60);
  });

  it('drops a URL too long to be a link', () => {
    const input = payload('firing');
    firstAlert(input).generatorURL = `https://prometheus/graph?g0.expr=${'a'.repeat(5_000)}`;

    const { payload: kept } = boundPayload(input);

    expect(firstAlert(kept).generatorURL).toBe('');
  });

  it('bounds the whole notification, counting the alerts it drops as truncated', () => {
    const input = payload('firing');
    const one = firstAlert(input);
    const big = (i: number) => ({
      ...one,
      fingerprint: `f${i}`,
      annotations: Object.fromEntries(
        Array.from({ length: 40 }, (_, k) => [`note_${k}`, 'x'.repeat(5_000)]),
      ),
    });
    input.alerts = Array.from({ length: 50 }, (_, i) => big(i));
    expect(sizeOf(input)).toBeGreaterThan(9_000_000);

    const { payload: kept, trimmed } = boundPayload(input);

    expect(sizeOf(kept)).toBeLessThanOrEqual(PAYLOAD_BOUNDS.bytes);
    expect(kept.alerts.length).toBeGreaterThan(0);
    expect(kept.alerts.length + kept.truncatedAlerts).toBe(50);
    expect(trimmed.alerts).toBe(kept.truncatedAlerts);
    expect(AlertmanagerPayload.safeParse(kept).success).toBe(true);
  });

  it('keeps one alert within the budget even when it alone is over it', () => {
    const input = payload('firing');
    const hostile = '"\u0001'.repeat(10_000);
    const map = Object.fromEntries(
      Array.from({ length: 40 }, (_, k) => [`${'k'.repeat(90)}${k}`, hostile]),
    );
    Object.assign(input, { commonLabels: map, commonAnnotations: map, groupLabels: map });
    Object.assign(firstAlert(input), { labels: map, annotations: map });

    const { payload: kept } = boundPayload(input);

    expect(sizeOf(kept)).toBeLessThanOrEqual(PAYLOAD_BOUNDS.bytes);
    expect(kept.alerts).toHaveLength(1);
  });
});

describe('keys and timestamps', () => {
  it('keeps a long group key and fingerprint short, and still tells two apart', () => {
    const long = (end: string) => {
      const input = payload('firing');
      input.groupKey = `${'g'.repeat(900_000)}${end}`;
      firstAlert(input).fingerprint = `${'f'.repeat(900_000)}${end}`;
      return input;
    };

    const a = boundPayload(long('a')).payload;
    const b = boundPayload(long('b')).payload;

    expect(a.groupKey.length).toBeLessThanOrEqual(PAYLOAD_BOUNDS.groupKey);
    expect(a.alerts[0]?.fingerprint.length).toBeLessThanOrEqual(PAYLOAD_BOUNDS.fingerprint);
    expect(a.groupKey).not.toBe(b.groupKey);
    expect(JSON.stringify(a).length).toBeLessThan(100_000);
  });

  it('keeps the same notification whether or not it is told the body size, even when invalid UTF-8 triples it', () => {
    // Every label value is bytes that are not UTF-8: each one is read as U+FFFD, three bytes
    // once serialised again. Two alerts make a body under a third of the budget, five over.
    const body = (alerts: number) => {
      const labels = Object.fromEntries(
        Array.from({ length: PAYLOAD_BOUNDS.entries }, (_, i) => [`l${i}`, '`'.repeat(1_990)]),
      );
      const raw = Buffer.from(
        JSON.stringify({
          ...alertFixture('firing'),
          alerts: Array.from({ length: alerts }, (_, i) => ({
            ...firstAlert(alertFixture('firing') as { alerts: object[] }),
            fingerprint: `f${i}`,
            labels,
          })),
        }),
      );
      for (let i = 0; i < raw.length; i++) if (raw[i] === 0x60) raw[i] = 0xff;
      return raw;
    };

    for (const raw of [body(2), body(5)]) {
      const input = AlertmanagerPayload.parse(JSON.parse(raw.toString('utf8')));

      const told = boundPayload(input, raw.length);

      expect(told).toEqual(boundPayload(input));
      expect(sizeOf(told.payload)).toBeLessThanOrEqual(PAYLOAD_BOUNDS.bytes);
    }
  });

  it('refuses a timestamp that is not RFC 3339, however Date.parse reads it', () => {
    const raw = alertFixture('firing') as { alerts: { startsAt: string }[] };
    const first = raw.alerts[0];
    if (first !== undefined) first.startsAt = `2026-01-01 (${'c'.repeat(900_000)})`;

    const parsed = AlertmanagerPayload.safeParse(raw);

    expect(parsed.success).toBe(false);
  });
});
