import { human } from '../../tools/kubernetes/format.ts';
import type { Column, Printer } from './infra-tables.ts';
import type { Any } from './loose-object.ts';
import type { KObject } from './store.ts';

/**
 * Server-side printing for RBAC, networking and scheduling kinds, with the real API server's
 * columns: Roles and ClusterRoles have no printer there, so they get its default table (Name,
 * Created At); bindings show `Kind/name` of their role and, wide, their subjects.
 */
const col = (name: string, priority = 0, type = 'string'): Column => ({ name, type, priority });
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0 };

const CREATED: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date', priority: 0 }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? '<unknown>'],
};

const BINDING: Printer = {
  columns: [
    NAME,
    col('Role'),
    col('Age'),
    col('Users', 1),
    col('Groups', 1),
    col('ServiceAccounts', 1),
  ],
  cells: (o, now) => {
    const ref = (o.roleRef ?? {}) as Any;
    const subjects = (o.subjects ?? []) as Any[];
    const named = (kind: string) =>
      subjects
        .filter((s) => s.kind === kind)
        .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
        .join(', ');
    return [
      o.metadata.name,
      `${ref.kind}/${ref.name}`,
      age(o, now),
      named('User'),
      named('Group'),
      named('ServiceAccount'),
    ];
  },
};

export const ACCESS_PRINTERS: Record<string, Printer> = {
  roles: CREATED,
  clusterroles: CREATED,
  rolebindings: BINDING,
  clusterrolebindings: BINDING,
  ingresses: {
    columns: [NAME, col('Class'), col('Hosts'), col('Address'), col('Ports'), col('Age')],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const balancers = ((o.status as Any)?.loadBalancer?.ingress ?? []) as Any[];
      return [
        o.metadata.name,
        spec.ingressClassName ?? '<none>',
        hosts((spec.rules ?? []) as Any[]),
        balancers
          .map((b) => b.ip ?? b.hostname)
          .filter(Boolean)
          .join(','),
        (spec.tls ?? []).length > 0 ? '80, 443' : '80',
        age(o, now),
      ];
    },
  },
  ingressclasses: {
    columns: [NAME, col('Controller'), col('Parameters'), col('Age')],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const p = spec.parameters as Any | undefined;
      const parameters =
        p === undefined ? '<none>' : `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}`;
      return [o.metadata.name, spec.controller ?? '', parameters, age(o, now)];
    },
  },
  networkpolicies: {
    columns: [NAME, col('Pod-Selector'), col('Age')],
    cells: (o, now) => [o.metadata.name, labelSelector((o.spec as Any)?.podSelector), age(o, now)],
  },
  priorityclasses: {
    columns: [
      NAME,
      col('Value', 0, 'integer'),
      col('Global-Default', 0, 'boolean'),
      col('Age'),
      col('PreemptionPolicy'),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.value ?? 0,
      o.globalDefault === true,
      age(o, now),
      o.preemptionPolicy ?? '<unset>',
    ],
  },
};

/** At most three hosts, then how many more rules there are; `*` when no rule names a host. */
function hosts(rules: Any[]): string {
  const named = rules.slice(0, 3).flatMap((r) => (r.host ? [r.host as string] : []));
  if (named.length === 0) return '*';
  const more = rules.length > 3 ? ` + ${rules.length - 3} more...` : '';
  return `${named.join(',')}${more}`;
}

/** metav1.FormatLabelSelector: labels, then expressions; `<none>` when it selects everything. */
function labelSelector(value: Any | undefined): string {
  const labels = Object.entries((value?.matchLabels ?? {}) as Record<string, string>).map(
    ([k, v]) => `${k}=${v}`,
  );
  const expressions = ((value?.matchExpressions ?? []) as Any[]).map((e) => {
    const op = String(e.operator ?? '');
    if (op === 'Exists') return e.key;
    if (op === 'DoesNotExist') return `!${e.key}`;
    return `${e.key} ${op === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`;
  });
  const text = [...labels, ...expressions].join(',');
  return text === '' ? '<none>' : text;
}

function age(object: KObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : human(now - created);
}
