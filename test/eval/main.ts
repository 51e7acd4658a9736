import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readThreshold, report, table, writeReport } from './support/report.ts';
import { type ModelResult, runModelScenario } from './support/run-model.ts';
import { runOffline } from './support/run-offline.ts';
import { loadScenarios } from './support/scenario.ts';

/**
 * `npm run eval`: every scenario in test/eval/scenarios diagnosed offline and judged; a table of
 * pass rates per fault class and the failures; bench/results/eval.json. With `--check` it fails
 * below the rate in test/eval/threshold.json. With ANTHROPIC_API_KEY (or `--model`) the same
 * scenarios go through the agents too; `--judge` adds a model judge. Without a key nothing
 * outside this machine is called.
 */
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    model: { type: 'boolean', default: false },
    judge: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

const apiKey = process.env.ANTHROPIC_API_KEY || undefined;
const check = values.check || process.env.EVAL_CHECK === '1';
const scenarios = loadScenarios().filter(
  (s) => values.only === undefined || s.id === values.only || s.class === values.only,
);

const offline = await runOffline(scenarios);
process.stdout.write(`${table(offline, `offline eval: ${scenarios.length} scenarios`)}\n`);

let model: ModelResult[] | undefined;
if (values.model && apiKey === undefined) {
  process.stderr.write('--model needs ANTHROPIC_API_KEY; only the offline eval ran\n');
} else if (apiKey !== undefined) {
  model = await runWithModel(apiKey);
  process.stdout.write(`\n${table(model, 'with the agents')}\n`);
  const cost = model.reduce((sum, m) => sum + m.costUsd + (m.judge?.costUsd ?? 0), 0);
  process.stdout.write(`model cost: $${cost.toFixed(3)}\n`);
}

const result = report(offline, model);
writeReport(result);
process.stdout.write(`\nwrote bench/results/eval.json\n`);

const threshold = readThreshold();
const threw = offline.filter((r) => r.threw);
if (check && (result.offline.overall < threshold || threw.length > 0)) {
  process.stderr.write(
    threw.length > 0
      ? `${threw.length} scenario(s) threw: ${threw.map((r) => r.id).join(', ')}\n`
      : `eval below its threshold: ${result.offline.overall} < ${threshold}\n`,
  );
  process.exitCode = 1;
}

async function runWithModel(key: string): Promise<ModelResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-eval-model-'));
  const options = {
    apiKey: key,
    baseUrl: process.env.ANTHROPIC_BASE_URL || undefined,
    judge: values.judge,
  };
  try {
    const results: ModelResult[] = [];
    for (const scenario of scenarios) results.push(await runModelScenario(scenario, dir, options));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
