import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { ResourceType } from './catalog.ts';
import { canonical } from './hash.ts';
import { ApiError, type KObject } from './store.ts';
import { accessProblems } from './validate-access.ts';
import { fieldProblems } from './validate-fields.ts';

/**
 * The checks of the real API server that a proposed change is most likely to trip: replica
 * counts, quantities, requests above limits, containers without a name or image, changes to a
 * running pod's spec, and a changed selector. A dry run runs them too, so a bad proposal shows
 * its error before anyone approves it.
 */
type Container = {
  name?: string;
  image?: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
};
type PodSpec = { containers?: Container[] };
type WorkloadSpec = {
  replicas?: unknown;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
};

export function validate(type: ResourceType, object: KObject, previous?: KObject): void {
  const problems: string[] = [
    ...fieldProblems(type, object),
    ...accessProblems(type, object, previous),
  ];
  const spec = (object.spec ?? {}) as WorkloadSpec;
  if (type.kind === 'Pod') {
    containers(spec as PodSpec, 'spec', problems);
    if (previous !== undefined) podUpdate(previous, object, problems);
  }
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(type.kind)) {
    if (
      spec.replicas !== undefined &&
      (!Number.isInteger(spec.replicas) || (spec.replicas as number) < 0)
    ) {
      problems.push(
        `spec.replicas: Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
      );
    }
    if (spec.selector === undefined) problems.push('spec.selector: Required value');
    containers((spec.template?.spec ?? {}) as PodSpec, 'spec.template.spec', problems);
    const labels = spec.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(
      (spec.selector?.matchLabels ?? {}) as Record<string, string>,
    )) {
      if (labels[k] !== v) {
        problems.push(
          `spec.template.metadata.labels: Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
        );
        break;
      }
    }
    const before = (previous?.spec as Record<string, unknown> | undefined)?.selector;
    if (previous !== undefined && canonical(before) !== canonical(spec.selector)) {
      problems.push('spec.selector: Invalid value: field is immutable');
    }
  }
  if (problems.length > 0) {
    const group = type.group === '' ? '' : `.${type.group}`;
    throw new ApiError(
      422,
      'Invalid',
      `${type.kind}${group} "${object.metadata.name}" is invalid: ${problems.join(', ')}`,
      {
        name: object.metadata.name,
        group: type.group,
        kind: type.kind,
        causes: problems.map(causeOf),
      },
    );
  }
}

const REASONS: Record<string, string> = {
  'Invalid value': 'FieldValueInvalid',
  'Required value': 'FieldValueRequired',
  Forbidden: 'FieldValueForbidden',
  'Unsupported value': 'FieldValueNotSupported',
  'Not found': 'FieldValueNotFound',
  'Duplicate value': 'FieldValueDuplicate',
  'Too long': 'FieldValueTooLong',
};

/** A problem (`field: Kind of error: detail`) as a `Status` cause, as the real server lists them. */
function causeOf(problem: string): { reason: string; message: string; field: string } {
  const at = problem.indexOf(': ');
  const field = problem.slice(0, at);
  const message = problem.slice(at + 2);
  const kind = Object.keys(REASONS).find((k) => message.startsWith(k)) ?? 'Invalid value';
  return { reason: REASONS[kind] ?? 'FieldValueInvalid', message, field };
}

function containers(spec: PodSpec, path: string, problems: string[]): void {
  const list = spec.containers ?? [];
  if (list.length === 0) problems.push(`${path}.containers: Required value`);
  list.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    if (!c.name) problems.push(`${at}.name: Required value`);
    if (!c.image) problems.push(`${at}.image: Required value`);
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    for (const [kind, values] of [
      ['limits', limits],
      ['requests', requests],
    ] as const) {
      for (const [resource, value] of Object.entries(values)) {
        const parsed = resource === 'cpu' ? parseCpu(String(value)) : parseMemory(String(value));
        if (parsed === undefined) {
          problems.push(
            `${at}.resources.${kind}[${resource}]: Invalid value: "${value}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
          );
        }
      }
    }
    for (const resource of ['cpu', 'memory']) {
      const parse = resource === 'cpu' ? parseCpu : parseMemory;
      const limit = limits[resource] === undefined ? undefined : parse(String(limits[resource]));
      const request =
        requests[resource] === undefined ? undefined : parse(String(requests[resource]));
      if (limit !== undefined && request !== undefined && request > limit) {
        problems.push(
          `${at}.resources.requests: Invalid value: "${requests[resource]}": must be less than or equal to ${resource} limit of ${limits[resource]}`,
        );
      }
    }
  });
}

/** A pod's spec is fixed once created, except images (and the scheduler's nodeName, once). */
function podUpdate(previous: KObject, next: KObject, problems: string[]): void {
  const strip = (object: KObject) => {
    const spec = structuredClone((object.spec ?? {}) as PodSpec & { nodeName?: string });
    for (const c of spec.containers ?? []) delete c.image;
    if (previous.spec && (previous.spec as { nodeName?: string }).nodeName === undefined)
      delete spec.nodeName;
    return canonical(spec);
  };
  if (strip(previous) !== strip(next)) {
    problems.push(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  }
}
