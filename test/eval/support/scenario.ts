import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * One answer-quality scenario: what a real cluster returned for one fault (its objects, as
 * `kubectl get -o json` shows them, and its containers' logs), and what a person would accept
 * as the answer: the cause the lead must state and the claims the answer must never make.
 */
export const FAULT_CLASSES = [
  'crash-logs',
  'probes',
  'init-sidecar-jobs',
  'evictions',
  'pending',
  'image',
  'config',
  'services',
  'scaling',
  'nodes',
  'healthy',
  'bad-input',
] as const;

export const ScenarioLog = z.object({
  pod: z.string(),
  container: z.string(),
  previous: z.boolean().default(false),
  /** What it wrote, one line each, oldest first. */
  lines: z.array(z.string()).default([]),
  /** Bytes that are not text (a binary written to stdout), base64; added after `lines`. */
  base64: z.string().optional(),
  /** A line written many times (a 1 MB log), placed before `lines`. */
  repeat: z.object({ line: z.string(), times: z.number().int().positive() }).optional(),
});
export type ScenarioLog = z.infer<typeof ScenarioLog>;

const KubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }),
});
export type KubeObject = z.infer<typeof KubeObject>;

export const Scenario = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  class: z.enum(FAULT_CLASSES),
  description: z.string(),
  namespace: z.string(),
  /**
   * When the objects were read. The fixture cluster moves every timestamp by the time since, so
   * a restart "3 minutes ago" stays 3 minutes ago whenever the eval runs.
   */
  recordedAt: z.iso.datetime(),
  target: z.object({ kind: z.enum(['Pod', 'Deployment', 'Node']), name: z.string() }).optional(),
  objects: z.array(KubeObject),
  logs: z.array(ScenarioLog).default([]),
  expect: z.object({
    /** Each must match the answer's lead (its first three non-empty lines), ignoring case. */
    cause: z.array(z.string()).default([]),
    /** The confidence levels a person would accept; the lead must state one of them. */
    confidence: z.array(z.enum(['certain', 'likely', 'unsure'])).optional(),
    /** The cause is not in what the cluster shows: the lead must say it could not determine it. */
    couldNotDetermine: z.boolean().optional(),
    /** No problem: the headline must start `No problems found`. */
    healthy: z.boolean().optional(),
  }),
  /** Claims that must appear nowhere in the answer (a wrong cause, a secret from the logs). */
  forbid: z.array(z.string()).default([]),
});
export type Scenario = z.infer<typeof Scenario>;

export const SCENARIOS_DIR = join(import.meta.dirname, '..', 'scenarios');

export function loadScenario(path: string): Scenario {
  const parsed = Scenario.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`scenario ${path} is invalid:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}

/** Every scenario in the folder, by file name; ids must be unique and match the file names. */
export function loadScenarios(dir = SCENARIOS_DIR): Scenario[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return files.map((file) => {
    const scenario = loadScenario(join(dir, file));
    if (`${scenario.id}.yaml` !== file)
      throw new Error(`scenario ${file} has id ${scenario.id}: name the file after its id`);
    return scenario;
  });
}

/** A log's lines as the container wrote them, each ended by a newline. */
export function logText(log: ScenarioLog): string {
  return log.lines.map((line) => `${line}\n`).join('');
}

/** A log's bytes as the kubelet would serve them. */
export function logBytes(log: ScenarioLog): Buffer {
  const parts: Buffer[] = [];
  if (log.repeat !== undefined) {
    const line = log.repeat.line.endsWith('\n') ? log.repeat.line : `${log.repeat.line}\n`;
    parts.push(Buffer.from(line.repeat(log.repeat.times), 'utf8'));
  }
  parts.push(Buffer.from(logText(log), 'utf8'));
  if (log.base64 !== undefined) parts.push(Buffer.from(log.base64, 'base64'));
  return Buffer.concat(parts);
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The scenario's objects with every RFC 3339 time moved as if they were read at `now`. */
export function shiftedObjects(scenario: Scenario, now: number): KubeObject[] {
  const offset = now - Date.parse(scenario.recordedAt);
  const shift = (value: unknown): unknown => {
    if (typeof value === 'string' && TIMESTAMP.test(value)) {
      const moved = new Date(Date.parse(value) + offset).toISOString();
      return value.includes('.')
        ? moved.replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}000Z`)
        : moved.replace(/\.\d{3}Z$/, 'Z');
    }
    if (Array.isArray(value)) return value.map(shift);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v)]));
    return value;
  };
  return scenario.objects.map((o) => shift(o) as KubeObject);
}
