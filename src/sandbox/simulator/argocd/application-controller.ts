import type { KObject, ObjectStore } from '../../api/store.ts';
import type { TellFailure } from '../../tell-failure.ts';
import type { Controller } from '../controller-kit.ts';
import { resourceType } from '../controller-kit.ts';
import { type EventRecorder, stamp } from '../events.ts';
import type { AppSpec, AppStatus, Operation } from './application.ts';
import { withCondition } from './application.ts';
import { autoSync } from './auto-sync.ts';
import { compareApp } from './comparison.ts';
import type { SandboxRepository } from './git-repository.ts';
import {
  finishOperation,
  isRunning,
  type OperationOutcome,
  runningUntil,
  startOperation,
} from './sync-operation.ts';
import { type Target, TargetStates } from './target-state.ts';

/**
 * Argo CD's application controller over the sandbox's Git repository. Each pass refreshes every
 * Application: its target state against the live objects (sync status, the resource tree, health),
 * the operation asked for in its `operation` field (a sync, or a rollback: a sync to a revision
 * from history), and its automated sync policy (prune, self-heal). The Application is written only
 * when what it says changes, and its `reconciledAt` at least every `RECONCILE_SECONDS`, as Argo
 * CD's reconciliation timeout has it.
 */
const APPLICATIONS = resourceType('argoproj.io', 'v1alpha1', 'applications');
const SOURCE = { component: 'argocd-application-controller' };
const RECONCILE_SECONDS = 180;
/** The annotation that asks for a refresh now (`normal` or `hard`), removed once done. */
const REFRESH = 'argocd.argoproj.io/refresh';

type Application = KObject & { spec?: AppSpec; status?: AppStatus; operation?: Operation };

export class ApplicationController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #targets = new TargetStates();
  readonly #deadlines = new Map<string, number>();

  readonly #tell: TellFailure;

  constructor(store: ObjectStore, events: EventRecorder, tell: TellFailure) {
    this.#store = store;
    this.#events = events;
    this.#tell = tell;
  }

  /** Applications whose `repoURL` names this repository read their manifests from it. */
  serve(repository: SandboxRepository): void {
    this.#targets.serve(repository);
  }

  reconcile(): void {
    for (const app of this.#store.view(APPLICATIONS)) {
      if (app.metadata.deletionTimestamp !== undefined) continue;
      // One application that cannot be handled is told about and left; the others go on.
      try {
        this.#reconcileApp(structuredClone(app) as Application);
      } catch (error) {
        this.#tell(`application ${app.metadata.namespace}/${app.metadata.name}`, error);
      }
    }
  }

  nextDeadline(): number | undefined {
    const now = this.#store.now().getTime();
    const due = [...this.#deadlines.values()].filter((t) => t > now);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  #reconcileApp(app: Application): void {
    const key = `${app.metadata.namespace}/${app.metadata.name}`;
    this.#deadlines.delete(key);
    const annotations = { ...(app.metadata.annotations ?? {}) };
    if (annotations[REFRESH] !== undefined) {
      this.#targets.refresh();
      delete annotations[REFRESH];
    }
    const spec = app.spec ?? {};
    const before = app.status ?? {};
    const target = this.#target(app, undefined);
    let status = refreshed(this.#store, app, before, target);
    let operation = app.operation;
    const outcome = this.#operate(app, { ...app, status }, operation, target);
    if (outcome !== undefined) {
      status = outcome.status;
      if (outcome.ended) operation = undefined;
      if (outcome.event) this.#record(app, outcome.event);
      // What the operation applied shows in the same refresh.
      status = refreshed(this.#store, app, status, target);
    } else if (operation === undefined && target.ok) {
      const comparison = compareApp(this.#store, target.desired, app.metadata.name);
      const auto = autoSync(spec, status, target.revision, comparison, this.#store.now().getTime());
      if (auto.kind === 'sync') {
        operation = auto.operation;
        this.#record(app, { type: 'Normal', reason: 'OperationStarted', message: auto.message });
      } else if (auto.kind === 'wait') this.#deadlines.set(key, auto.until);
    }
    const until = runningUntil(status);
    if (until !== undefined) this.#deadlines.set(key, until);
    this.#recordTransitions(app, before, status);
    this.#write(app, { annotations, status, operation });
  }

  /** The operation's next step: started, or finished when it has run its course. */
  #operate(
    app: Application,
    current: Application,
    operation: Operation | undefined,
    target: Target,
  ): OperationOutcome | undefined {
    if (operation === undefined) return undefined;
    const status = current.status ?? {};
    if (isRunning(status, operation)) {
      const until = runningUntil(status) ?? 0;
      return this.#store.now().getTime() >= until
        ? finishOperation(this.#store, status)
        : undefined;
    }
    const wanted = operation.sync?.revision;
    const opTarget = wanted === undefined ? target : this.#target(app, operation);
    return startOperation(
      this.#store,
      { name: app.metadata.name, spec: app.spec ?? {}, status },
      operation,
      opTarget,
    );
  }

  #target(app: Application, operation: Operation | undefined): Target {
    const source = operation?.sync?.source ?? app.spec?.source;
    return this.#targets.target(source, operation?.sync?.revision, {
      name: app.metadata.name,
      namespace: app.spec?.destination?.namespace,
    });
  }

  #record(app: Application, event: NonNullable<OperationOutcome['event']>): void {
    this.#events.record(app, event.type, event.reason, event.message, SOURCE);
  }

  /** `ResourceUpdated` events when the sync or health status changes, as Argo CD records them. */
  #recordTransitions(app: Application, before: AppStatus, after: AppStatus): void {
    const was = before.sync?.status;
    const is = after.sync?.status;
    if (was !== undefined && is !== undefined && was !== is)
      this.#record(app, {
        type: 'Normal',
        reason: 'ResourceUpdated',
        message: `Updated sync status: ${was} -> ${is}`,
      });
    const wasHealth = before.health?.status;
    const isHealth = after.health?.status;
    if (wasHealth !== undefined && isHealth !== undefined && wasHealth !== isHealth)
      this.#record(app, {
        type: 'Normal',
        reason: 'ResourceUpdated',
        message: `Updated health status: ${wasHealth} -> ${isHealth}`,
      });
  }

  #write(
    app: Application,
    next: {
      annotations: Record<string, string>;
      status: AppStatus;
      operation: Operation | undefined;
    },
  ): void {
    const now = this.#store.now();
    const last = Date.parse(app.status?.reconciledAt ?? '') || 0;
    const same =
      JSON.stringify(withoutTime(app.status ?? {})) === JSON.stringify(withoutTime(next.status)) &&
      JSON.stringify(app.operation) === JSON.stringify(next.operation) &&
      JSON.stringify(app.metadata.annotations ?? {}) === JSON.stringify(next.annotations);
    if (same && now.getTime() - last < RECONCILE_SECONDS * 1000) return;
    const written: Application = {
      ...app,
      metadata: { ...app.metadata, annotations: next.annotations },
      status: { ...next.status, reconciledAt: stamp(now) },
    };
    if (written.status?.conditions?.length === 0) delete written.status.conditions;
    if (next.operation === undefined) delete written.operation;
    else written.operation = next.operation;
    if (Object.keys(next.annotations).length === 0) delete written.metadata.annotations;
    this.#store.replace(APPLICATIONS, written);
  }
}

/** The status after comparing the target state with the live objects. */
function refreshed(
  store: ObjectStore,
  app: Application,
  status: AppStatus,
  target: Target,
): AppStatus {
  const now = stamp(store.now());
  const comparedTo = { source: app.spec?.source ?? {}, destination: app.spec?.destination ?? {} };
  if (!target.ok)
    return {
      ...status,
      sync: { status: 'Unknown', comparedTo },
      health: status.health ?? { status: 'Unknown' },
      conditions: withCondition(status.conditions, 'ComparisonError', target.error, now),
    };
  const comparison = compareApp(store, target.desired, app.metadata.name);
  const images = new Set<string>();
  for (const { object } of target.desired) for (const image of imagesOf(object)) images.add(image);
  return {
    ...status,
    sync: { status: comparison.sync, revision: target.revision, comparedTo },
    health: comparison.health,
    resources: comparison.resources,
    conditions: withCondition(status.conditions, 'ComparisonError', undefined, now),
    sourceType: 'Directory',
    summary: { images: [...images].sort() },
  };
}

function imagesOf(object: KObject): string[] {
  const spec = object.spec as
    | { template?: { spec?: { containers?: { image?: string }[] } } }
    | undefined;
  return (spec?.template?.spec?.containers ?? []).flatMap((c) => (c.image ? [c.image] : []));
}

function withoutTime(status: AppStatus): AppStatus {
  const { reconciledAt: _, conditions, ...rest } = status;
  return conditions === undefined || conditions.length === 0 ? rest : { ...rest, conditions };
}
