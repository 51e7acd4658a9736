import { human } from '../../tools/kubernetes/format.ts';
import type { KObject } from './store.ts';

/**
 * Server-side printing for the cluster-infrastructure kinds (endpoints, slices, leases, volumes,
 * storage classes, quotas), with the columns and cell formats the real API server prints.
 */
export type Column = { name: string; type: string; priority?: number; format?: string };
export type Printer = { columns: Column[]; cells: (object: KObject, now: number) => unknown[] };

const col = (name: string, priority = 0, type = 'string'): Column => ({ name, type, priority });
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0 };

type Subset = {
  addresses?: { ip: string }[];
  ports?: { port: number }[];
};
type SliceEndpoint = { addresses?: string[]; conditions?: { ready?: boolean } };

const MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

export const INFRA_PRINTERS: Record<string, Printer> = {
  endpoints: {
    columns: [NAME, col('Endpoints'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      endpointList(o.subsets as Subset[] | undefined),
      age(o, now),
    ],
  },
  endpointslices: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
    cells: (o, now) => {
      const ports = ((o.ports ?? []) as { port?: number }[]).map((p) => String(p.port ?? ''));
      const addresses = ((o.endpoints ?? []) as SliceEndpoint[]).flatMap((e) => e.addresses ?? []);
      return [
        o.metadata.name,
        String(o.addressType ?? ''),
        ports.length === 0 ? '<unset>' : ports.join(','),
        addresses.length === 0 ? '<unset>' : more(addresses),
        age(o, now),
      ];
    },
  },
  leases: {
    columns: [NAME, col('Holder'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      (o.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '',
      age(o, now),
    ],
  },
  persistentvolumeclaims: {
    columns: [
      NAME,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Age'),
      col('VolumeMode', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as {
        volumeName?: string;
        storageClassName?: string;
        volumeMode?: string;
      };
      const status = (o.status ?? {}) as {
        phase?: string;
        capacity?: { storage?: string };
        accessModes?: string[];
      };
      const bound = status.phase === 'Bound';
      return [
        o.metadata.name,
        status.phase ?? 'Pending',
        spec.volumeName ?? '',
        bound ? (status.capacity?.storage ?? '') : '',
        bound ? modes(status.accessModes) : '',
        spec.storageClassName ?? '',
        '<unset>',
        age(o, now),
        spec.volumeMode ?? 'Filesystem',
      ];
    },
  },
  persistentvolumes: {
    columns: [
      NAME,
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      col('Age'),
      col('VolumeMode', 1),
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as {
        capacity?: { storage?: string };
        accessModes?: string[];
        persistentVolumeReclaimPolicy?: string;
        claimRef?: { namespace?: string; name?: string };
        storageClassName?: string;
        volumeMode?: string;
      };
      const status = (o.status ?? {}) as { phase?: string; reason?: string };
      return [
        o.metadata.name,
        spec.capacity?.storage ?? '',
        modes(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? 'Retain',
        status.phase ?? 'Pending',
        spec.claimRef === undefined ? '' : `${spec.claimRef.namespace}/${spec.claimRef.name}`,
        spec.storageClassName ?? '',
        '<unset>',
        status.reason ?? '',
        age(o, now),
        spec.volumeMode ?? 'Filesystem',
      ];
    },
  },
  storageclasses: {
    columns: [
      NAME,
      col('Provisioner'),
      col('ReclaimPolicy'),
      col('VolumeBindingMode'),
      col('AllowVolumeExpansion'),
      col('Age'),
    ],
    cells: (o, now) => {
      const isDefault =
        o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
      return [
        isDefault ? `${o.metadata.name} (default)` : o.metadata.name,
        String(o.provisioner ?? ''),
        String(o.reclaimPolicy ?? 'Delete'),
        String(o.volumeBindingMode ?? 'Immediate'),
        String(o.allowVolumeExpansion ?? false),
        age(o, now),
      ];
    },
  },
  resourcequotas: {
    columns: [NAME, col('Age'), col('Request'), col('Limit')],
    cells: (o, now) => {
      const status = (o.status ?? {}) as {
        hard?: Record<string, string>;
        used?: Record<string, string>;
      };
      const hard = status.hard ?? {};
      const pairs = (limits: boolean) =>
        Object.keys(hard)
          .filter((k) => k.startsWith('limits.') === limits)
          .sort()
          .map((k) => `${k}: ${status.used?.[k] ?? '0'}/${hard[k]}`)
          .join(', ');
      return [o.metadata.name, age(o, now), pairs(false), pairs(true)];
    },
  },
  limitranges: {
    columns: [NAME, col('Created At')],
    cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ''],
  },
};

/** `10.244.1.5:8080,10.244.2.3:8080 + 1 more...`, the ready addresses as kubectl lists them. */
function endpointList(subsets: Subset[] | undefined): string {
  const list: string[] = [];
  for (const subset of subsets ?? []) {
    const addresses = subset.addresses ?? [];
    if ((subset.ports ?? []).length === 0) list.push(...addresses.map((a) => a.ip));
    for (const port of subset.ports ?? [])
      list.push(...addresses.map((a) => `${a.ip}:${port.port}`));
  }
  return list.length === 0 ? '<none>' : more(list);
}

function more(list: string[]): string {
  const shown = list.slice(0, 3).join(',');
  return list.length > 3 ? `${shown} + ${list.length - 3} more...` : shown;
}

function modes(list: string[] | undefined): string {
  return (list ?? []).map((m) => MODES[m] ?? m).join(',');
}

function age(object: KObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : human(now - created);
}
