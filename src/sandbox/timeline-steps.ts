import { stringify } from 'yaml';
import { admit } from './api/admission.ts';
import { findKind } from './api/catalog.ts';
import { applyPatch } from './api/patch.ts';
import { ApiError, type KObject } from './api/store.ts';
import { validate } from './api/validate.ts';
import type { Commit, HandPatch, Scenario } from './scenario.ts';
import { SandboxRepository } from './simulator/argocd/git-repository.ts';
import type { Simulator } from './simulator/simulator.ts';

/**
 * The parts of a scenario's timeline besides applying objects: commits to the GitOps
 * repository, and changes made by hand to live objects (the drift Argo CD then sees).
 */
const PLACEHOLDER = '{repository}';

/** The GitOps repository, created only for scenarios that commit to it or name it. */
export function repositoryFor(scenarios: readonly Scenario[]): SandboxRepository | undefined {
  const uses = scenarios.some((s) =>
    s.timeline.some(
      (step) => step.commit !== undefined || JSON.stringify(step.apply).includes(PLACEHOLDER),
    ),
  );
  return uses ? SandboxRepository.create() : undefined;
}

export function commitStep(repository: SandboxRepository, commit: Commit, at: Date): string {
  const files: Record<string, string | null> = {};
  for (const [path, content] of Object.entries(commit.files)) {
    if (content === null) files[path] = null;
    else if (typeof content === 'string') files[path] = content;
    else if (Array.isArray(content)) files[path] = content.map((d) => stringify(d)).join('---\n');
    else files[path] = stringify(content);
  }
  return repository.commit(files, commit.message, at);
}

/** The object with `{repository}` in its strings replaced by the repository's URL. */
export function withRepository<T>(object: T, repository: SandboxRepository | undefined): T {
  const text = JSON.stringify(object);
  if (!text.includes(PLACEHOLDER)) return object;
  if (repository === undefined) throw new Error('the scenario names {repository} but has none');
  return JSON.parse(text.replaceAll(PLACEHOLDER, repository.url)) as T;
}

export function patchStep(simulator: Simulator, step: HandPatch): void {
  const type = findKind(step.apiVersion, step.kind);
  const store = simulator.store;
  const live = type && store.get(type, step.namespace, step.name);
  if (type === undefined || live === undefined)
    throw new Error(`scenario patch: no ${step.kind} ${step.namespace ?? ''}/${step.name}`);
  const patched = applyPatch(structuredClone(live), step.patch, 'merge') as KObject;
  try {
    validate(type, patched, live);
    admit(store, type, patched, live);
    store.replace(type, patched, { fieldManager: step.manager, operation: 'Update' });
  } catch (error) {
    const reason = error instanceof ApiError ? error.message : String(error);
    throw new Error(`scenario patch of ${step.kind} ${step.name}: ${reason}`);
  }
  simulator.reconcile();
}
