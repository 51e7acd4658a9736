import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readThreshold } from '../eval/support/report.ts';
import { ratesOf, runOffline, runScenario } from '../eval/support/run-offline.ts';
import { FAULT_CLASSES, loadScenarios, logText } from '../eval/support/scenario.ts';

/**
 * The answer-quality eval as CI runs it: every scenario diagnosed through the real client
 * against its recorded cluster, none throwing, and the pass rate no lower than the one stored in
 * test/eval/threshold.json (raised as the answers improve, never lowered to make this pass).
 */
const scenarios = loadScenarios();

describe('answer-quality eval', () => {
  it('covers every fault class with at least three scenarios, healthy and bad input with four', () => {
    const count = (name: string) => scenarios.filter((s) => s.class === name).length;

    const thin = FAULT_CLASSES.filter((name) => count(name) < 3);

    expect(scenarios.length).toBeGreaterThanOrEqual(64);
    expect(thin).toEqual([]);
    expect(count('healthy')).toBeGreaterThanOrEqual(4);
    expect(count('bad-input')).toBeGreaterThanOrEqual(4);
  });

  it('forbids the secrets its logs contain from ever appearing in an answer', () => {
    const leaky = scenarios.filter((s) =>
      s.forbid.some((pattern) => s.logs.some((log) => new RegExp(pattern).test(logText(log)))),
    );

    expect(leaky.length).toBeGreaterThanOrEqual(2);
  });

  it('judges a scenario alike whatever the time of day it runs at', async () => {
    // A daily 15:50 CronJob that last ran 10 minutes before the recording: read at 15:55 on
    // another day with ages kept but not the time of day, its run would look missed.
    const daily = scenarios.find((s) => s.id === 'holdout-healthy-busy-batch-namespace');
    if (daily === undefined) throw new Error('no scenario with a daily CronJob');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-09T15:55:00Z'));
    try {
      const result = await runScenario(daily, mkdtempSync(join(tmpdir(), 'eval-clock-')));

      expect(result.reasons).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('diagnoses every scenario without a throw, at or above the stored pass rate', async () => {
    const results = await runOffline(scenarios);

    const threw = results.filter((r) => r.threw).map((r) => `${r.id}: ${r.reasons.join('; ')}`);
    expect(threw).toEqual([]);
    const failed = results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.reasons.join('; ')}`);
    expect(ratesOf(results).overall, failed.join('\n')).toBeGreaterThanOrEqual(readThreshold());
  }, 180_000);
});
