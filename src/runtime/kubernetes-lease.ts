import { ApiException, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { connect } from '../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../tools/kubernetes/errors.ts';
import type { LeaseRecord, LeaseRef, LeaseStore, StoredLease } from './lease-store.ts';

/**
 * A Lease on the API server, through the typed client and only the verbs the bot's role grants:
 * get, create and update. Loaded by `import()` only when LEADER_LEASE is set.
 */
export function kubernetesLeaseStore(
  lease: LeaseRef,
  source: { inCluster: boolean; kubeconfig?: string },
  timeoutSeconds: number,
): LeaseStore {
  const cluster = connect({
    name: 'leader-lease',
    ...(source.inCluster ? { inCluster: true } : {}),
    ...(source.kubeconfig === undefined ? {} : { kubeconfig: source.kubeconfig }),
    timeoutSeconds,
  });
  const api = cluster.coordination;
  const { namespace, name } = lease;
  const attempt = (verb: string) => ({ verb, resource: 'leases', namespace, name });
  return {
    async get() {
      try {
        return stored(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw wrapKubernetesError(error, attempt('get'));
      }
    },
    async create(record) {
      const body = { metadata: { name, namespace }, spec: spec(record) };
      try {
        return stored(await api.createNamespacedLease({ namespace, body }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 409) return undefined;
        throw wrapKubernetesError(error, attempt('create'));
      }
    },
    async replace(seen, record) {
      // The resourceVersion read makes the write conditional: a 409 means another replica wrote.
      const metadata = { ...seen.metadata, name, namespace, resourceVersion: seen.resourceVersion };
      const body = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata,
        spec: spec(record),
      };
      try {
        return stored(await api.replaceNamespacedLease({ name, namespace, body }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 409) return undefined;
        throw wrapKubernetesError(error, attempt('update'));
      }
    },
  };
}

/**
 * The spec as the API server parses it: times are MicroTime, which it reads with exactly six
 * fractional digits; a plain Date would be sent with three and refused with 400.
 */
function spec(record: LeaseRecord): NonNullable<V1Lease['spec']> {
  const { acquireTime, renewTime } = record;
  return {
    holderIdentity: record.holder,
    leaseDurationSeconds: record.durationSeconds,
    leaseTransitions: record.transitions,
    ...(acquireTime === undefined ? {} : { acquireTime: new V1MicroTime(acquireTime) }),
    ...(renewTime === undefined ? {} : { renewTime: new V1MicroTime(renewTime) }),
  };
}

function stored(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  return {
    holder: spec.holderIdentity ?? '',
    durationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    transitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    metadata: { ...(lease.metadata ?? {}) },
  };
}
