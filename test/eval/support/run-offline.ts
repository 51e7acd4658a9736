import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPlainText } from '../../../src/chat/plain-text.ts';
import { diagnose } from '../../../src/commands/diagnose.ts';
import { connect } from '../../../src/tools/kubernetes/cluster.ts';
import { startFixtureCluster } from './fixture-cluster.ts';
import { judgeAnswer, leadOf } from './judge.ts';
import type { Scenario } from './scenario.ts';

/**
 * The offline eval: each scenario served by its own fixture cluster, diagnosed by the product
 * through the real client library, and its plain-text answer judged. A throw is a failure with
 * its message, never the end of the run.
 */
export type ScenarioResult = {
  id: string;
  class: string;
  passed: boolean;
  reasons: string[];
  /** The answer's lead, for reading the table. */
  lead: string;
  threw: boolean;
  ms: number;
  requests: number;
};

export async function runScenario(scenario: Scenario, dir: string): Promise<ScenarioResult> {
  const now = readAt(scenario);
  const fixture = await startFixtureCluster(scenario, dir, now);
  const started = performance.now();
  try {
    const cluster = connect({ name: 'eval', kubeconfig: fixture.kubeconfig });
    const result = await diagnose(cluster, {
      namespace: scenario.namespace,
      visible: ['*'],
      target: scenario.target,
      now: new Date(now),
    });
    const answer = renderPlainText(result.message);
    const reasons = judgeAnswer(scenario, answer);
    return outcome(scenario, reasons, leadOf(answer), false, started, fixture.requests.length);
  } catch (error) {
    const reason = `threw: ${(error as Error).message.split('\n')[0]}`;
    return outcome(scenario, [reason], '', true, started, fixture.requests.length);
  } finally {
    await fixture.close();
  }
}

const DAY = 24 * 60 * 60_000;

/**
 * When the scenario is served as read: today at the time of day it was recorded (a whole number
 * of days after it), so that ages stay as recorded and a CronJob's schedule, which is wall-clock
 * time, meets its last run as it did, whatever the hour the eval runs at.
 */
function readAt(scenario: Scenario): number {
  const recorded = Date.parse(scenario.recordedAt);
  return recorded + Math.floor((Date.now() - recorded) / DAY) * DAY;
}

function outcome(
  scenario: Scenario,
  reasons: string[],
  lead: string,
  threw: boolean,
  started: number,
  requests: number,
): ScenarioResult {
  return {
    id: scenario.id,
    class: scenario.class,
    passed: reasons.length === 0,
    reasons,
    lead,
    threw,
    ms: Math.round(performance.now() - started),
    requests,
  };
}

/** Every scenario, one after another (each has its own server, so order does not matter). */
export async function runOffline(scenarios: readonly Scenario[]): Promise<ScenarioResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-eval-'));
  try {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) results.push(await runScenario(scenario, dir));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Rates = {
  byClass: Record<string, { passed: number; total: number; rate: number }>;
  overall: number;
};

export function ratesOf(results: readonly { class: string; passed: boolean }[]): Rates {
  const byClass: Rates['byClass'] = {};
  for (const r of results) {
    const entry = byClass[r.class] ?? { passed: 0, total: 0, rate: 0 };
    entry.total += 1;
    if (r.passed) entry.passed += 1;
    entry.rate = round(entry.passed / entry.total);
    byClass[r.class] = entry;
  }
  const passed = results.filter((r) => r.passed).length;
  return { byClass, overall: results.length === 0 ? 0 : round(passed / results.length) };
}

function round(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}
