import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ModelResult } from './run-model.ts';
import { type Rates, ratesOf, type ScenarioResult } from './run-offline.ts';

/** The table a person reads after `npm run eval`, and `bench/results/eval.json` for machines. */
export const REPO = join(import.meta.dirname, '..', '..', '..');
export const RESULTS = join(REPO, 'bench', 'results', 'eval.json');
export const THRESHOLD_FILE = join(REPO, 'test', 'eval', 'threshold.json');

const Threshold = z.object({ offline: z.number().min(0).max(1) });

export function readThreshold(): number {
  return Threshold.parse(JSON.parse(readFileSync(THRESHOLD_FILE, 'utf8'))).offline;
}

export function table(
  results: readonly { id: string; class: string; passed: boolean; reasons: string[] }[],
  title: string,
): string {
  const rates = ratesOf(results);
  const lines = [`${title}`, `${'class'.padEnd(20)} passed  total  rate`];
  for (const [name, r] of Object.entries(rates.byClass).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `${name.padEnd(20)} ${String(r.passed).padStart(6)} ${String(r.total).padStart(6)}  ${percent(r.rate)}`,
    );
  }
  const passed = results.filter((r) => r.passed).length;
  const holdout = results.filter((r) => isHoldout(r.id));
  if (holdout.length > 0) {
    const held = holdout.filter((r) => r.passed).length;
    lines.push(
      `${'holdout (of all)'.padEnd(20)} ${String(held).padStart(6)} ${String(holdout.length).padStart(6)}  ${percent(held / holdout.length)}`,
    );
  }
  lines.push(
    `${'overall'.padEnd(20)} ${String(passed).padStart(6)} ${String(results.length).padStart(6)}  ${percent(rates.overall)}`,
  );
  const failures = results.filter((r) => !r.passed);
  if (failures.length > 0) lines.push('', 'failures:');
  for (const f of failures) lines.push(`  ${f.class}/${f.id}: ${f.reasons.join('; ')}`);
  return lines.join('\n');
}

/** Scenarios written without reading the analyzers: how the answers generalise. */
export function isHoldout(id: string): boolean {
  return id.startsWith('holdout-');
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1).padStart(5)}%`;
}

export type EvalReport = {
  date: string;
  commit: string | undefined;
  offline: {
    overall: number;
    /** The holdout scenarios' rate alone, when there are any. */
    holdout?: number;
    byClass: Rates['byClass'];
    scenarios: Omit<ScenarioResult, 'lead'>[];
  };
  model?: { overall: number; byClass: Rates['byClass']; costUsd: number; scenarios: ModelResult[] };
};

export function report(
  offline: readonly ScenarioResult[],
  model?: readonly ModelResult[],
): EvalReport {
  const rates = ratesOf(offline);
  const out: EvalReport = {
    date: new Date().toISOString(),
    commit: commitOf(),
    offline: {
      overall: rates.overall,
      ...holdoutRate(offline),
      byClass: rates.byClass,
      scenarios: offline.map(({ lead: _, ...rest }) => rest),
    },
  };
  if (model !== undefined) {
    const modelRates = ratesOf(model);
    out.model = {
      overall: modelRates.overall,
      byClass: modelRates.byClass,
      // The agents' cost and the model judge's, when it ran.
      costUsd: model.reduce((sum, m) => sum + m.costUsd + (m.judge?.costUsd ?? 0), 0),
      scenarios: [...model],
    };
  }
  return out;
}

export function writeReport(value: EvalReport, path = RESULTS): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function commitOf(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function holdoutRate(results: readonly ScenarioResult[]): { holdout?: number } {
  const holdout = results.filter((r) => isHoldout(r.id));
  return holdout.length === 0 ? {} : { holdout: ratesOf(holdout).overall };
}
