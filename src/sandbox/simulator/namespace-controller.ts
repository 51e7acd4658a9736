import { findResource, RESOURCES, type ResourceType } from '../api/catalog.ts';
import { deleteObject, NAMESPACE_FINALIZER, releaseIfDone } from '../api/delete.ts';
import type { KObject, ObjectStore } from '../api/store.ts';

/**
 * The namespace controller and its companions: a Terminating namespace is emptied, and once
 * nothing is left in it its `kubernetes` finalizer is taken away and it goes; every live
 * namespace has its `default` ServiceAccount and its `kube-root-ca.crt` ConfigMap, as the
 * service account and root CA publishers make them.
 */
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceType;
const CONFIG_MAPS = findResource('', 'v1', 'configmaps') as ResourceType;
const CONTENTS = RESOURCES.filter((r) => r.namespaced && r.readOnly !== true && !r.createOnly);

const ROOT_CA = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
/** A stand-in for the cluster's CA: the sandbox serves plain HTTP and signs nothing. */
const SANDBOX_CA = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Fu',
  'ZGJveC1jYUAxNzAwMDAwMDAwMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAw',
  'MFowIzEhMB8GA1UEAwwYazNzLXNhbmRib3gtY2FAMTcwMDAwMDAwMDBZMBMGByqG',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

export function isTerminating(namespace: KObject | undefined): boolean {
  return (
    namespace !== undefined &&
    (namespace.metadata.deletionTimestamp !== undefined ||
      (namespace.status as { phase?: string } | undefined)?.phase === 'Terminating')
  );
}

export class NamespaceController {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  reconcile(): void {
    for (const namespace of this.#store.view(NAMESPACES)) {
      if (isTerminating(namespace)) this.#empty(namespace);
      else this.#publish(namespace.metadata.name);
    }
  }

  /** Deletes what is in the namespace; when nothing is left, finalizes it. */
  #empty(namespace: KObject): void {
    const name = namespace.metadata.name;
    let left = 0;
    for (const type of CONTENTS) {
      for (const object of this.#store.view(type, name)) {
        left++;
        if (object.metadata.deletionTimestamp === undefined)
          deleteObject(this.#store, type, object, { propagationPolicy: 'Background' }, false);
      }
    }
    if (left > 0) return;
    const { finalizers: all = [], ...rest } = (namespace.spec ?? {}) as { finalizers?: string[] };
    const finalizers = all.filter((f) => f !== NAMESPACE_FINALIZER);
    const spec = finalizers.length === 0 ? rest : { ...rest, finalizers };
    const written = this.#store.replace(NAMESPACES, { ...namespace, spec });
    releaseIfDone(this.#store, NAMESPACES, written);
  }

  #publish(namespace: string): void {
    if (this.#store.get(SERVICE_ACCOUNTS, namespace, 'default') === undefined) {
      this.#store.create(SERVICE_ACCOUNTS, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace },
      });
    }
    if (this.#store.get(CONFIG_MAPS, namespace, ROOT_CA) === undefined) {
      this.#store.create(CONFIG_MAPS, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: ROOT_CA,
          namespace,
          annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION },
        },
        data: { 'ca.crt': SANDBOX_CA },
      });
    }
  }
}
