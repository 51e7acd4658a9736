import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CoxswainError } from '../errors.ts';
import { formatIssues } from '../shared/format-issues.ts';

/**
 * A scenario file: what the sandbox's image registry knows (how each image behaves when it
 * runs), and a timeline of objects to apply, starting in the past so that a crash loop already
 * has its restarts and a stuck rollout has passed its deadline when the sandbox opens.
 */
const Duration = z.string().regex(/^-?\d+[smhd]$/, 'must be a duration such as 20m, 3d or -90s');

export const ImageBehaviour = z.strictObject({
  /** Working set the process grows to; above the container's memory limit it is OOMKilled. */
  memory: z.string().default('64Mi'),
  cpu: z.string().default('20m'),
  /** Seconds from start until it reaches its working set (an OOM kill) or exits. */
  crashAfter: z.number().positive().default(6),
  /** Exits by itself with this code after `crashAfter` seconds (0 means it keeps running). */
  exitCode: z.number().int().min(0).max(255).default(0),
  /** Exits with code 0 after `crashAfter` seconds, as a batch task does. */
  completes: z.boolean().default(false),
  /** Readiness probes fail while this is false. */
  ready: z.boolean().default(true),
  /** Seconds from start until its health endpoint stops answering, so liveness probes fail. */
  unhealthyAfter: z.number().nonnegative().optional(),
  /** How a failing probe sees it: an error status (HTTP 500, refused) or no answer in time. */
  unhealthyAs: z.enum(['error', 'timeout']).default('error'),
  logs: z.array(z.string()).default([]),
  /** Printed every `every` seconds while it runs. */
  heartbeat: z.string().optional(),
  every: z.number().positive().default(30),
  /** The last lines before it exits or is killed. */
  crashLogs: z.array(z.string()).default([]),
});
export type ImageBehaviour = z.infer<typeof ImageBehaviour>;

/**
 * A commit to the sandbox's GitOps repository (the branch `main` of a bare repository the sandbox
 * creates): each file's content as text, or as an object or a list of objects written as YAML
 * documents; `null` removes the file. Applications name the repository with the placeholder
 * `{repository}` in `spec.source.repoURL`, which becomes its `file://` URL.
 */
export const Commit = z.strictObject({
  message: z.string().min(1),
  files: z.record(z.string().min(1), z.unknown()),
});
export type Commit = z.infer<typeof Commit>;

/** A change by hand (`kubectl edit`, `kubectl scale`): a JSON merge patch of one live object. */
export const HandPatch = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  patch: z.record(z.string(), z.unknown()),
  /** The field manager the change is recorded under, as kubectl names its commands. */
  manager: z.string().default('kubectl-edit'),
});
export type HandPatch = z.infer<typeof HandPatch>;

const Step = z.strictObject({
  /** When, relative to the sandbox's start: `-3d`, `-20m`, `0s`. */
  at: Duration,
  commit: Commit.optional(),
  apply: z.array(z.record(z.string(), z.unknown())).default([]),
  patch: z.array(HandPatch).default([]),
});

export const Scenario = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  images: z.record(z.string(), ImageBehaviour).default({}),
  timeline: z.array(Step).min(1),
  /** Objects of the base cluster this scenario runs without, as `Kind/name` (`StorageClass/standard`). */
  omit: z.array(z.string().regex(/^[A-Za-z]+\/[a-z0-9.-]+$/)).default([]),
});
export type Scenario = z.infer<typeof Scenario>;

const DIRECTORY = new URL('./scenarios/', import.meta.url);

export function scenarioNames(): string[] {
  return readdirSync(DIRECTORY)
    .filter((file) => file.endsWith('.yaml') && !file.startsWith('_'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** The cluster every scenario runs on: nodes, system namespaces and common images. */
export function baseScenario(): Scenario {
  return readScenario(new URL('_cluster.yaml', DIRECTORY));
}

export function loadScenario(name: string): Scenario {
  if (!scenarioNames().includes(name)) {
    throw new CoxswainError(
      'config_invalid',
      `unknown scenario "${name}"; choose from: ${scenarioNames().join(', ')}`,
    );
  }
  return readScenario(new URL(`${name}.yaml`, DIRECTORY));
}

function readScenario(url: URL): Scenario {
  const parsed = Scenario.safeParse(parse(readFileSync(url, 'utf8'), { merge: true }));
  if (!parsed.success) {
    throw new CoxswainError(
      'config_invalid',
      `invalid scenario:\n  ${formatIssues(parsed.error.issues, url.pathname).join('\n  ')}`,
    );
  }
  return parsed.data;
}

export function durationSeconds(duration: string): number {
  const match = /^(-?\d+)([smhd])$/.exec(duration);
  if (match === null) return 0;
  const scale = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's'];
  return Number(match[1]) * scale;
}
