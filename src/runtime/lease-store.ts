/**
 * What leader election needs of a coordination.k8s.io Lease: read it, create it, and replace it
 * only if nobody changed it since it was read. Kept apart from the Kubernetes client so that a
 * process without election never loads it (see `kubernetes-lease.ts`).
 */

/** A Lease's spec as leader election reads and writes it; `holder` is empty once released. */
export type LeaseRecord = Readonly<{
  holder: string;
  durationSeconds: number;
  acquireTime: Date | undefined;
  renewTime: Date | undefined;
  transitions: number;
}>;

/** A Lease as read, with what a replace needs to be conditional on it. */
export type StoredLease = LeaseRecord &
  Readonly<{
    resourceVersion: string;
    /** Its metadata as read, kept whole so that a replace drops no label or annotation. */
    metadata: Readonly<Record<string, unknown>>;
  }>;

export type LeaseStore = {
  /** The Lease, or undefined when it does not exist. */
  get(): Promise<StoredLease | undefined>;
  /** The Lease as created, or undefined when another replica created it first (409). */
  create(record: LeaseRecord): Promise<StoredLease | undefined>;
  /** The Lease as replaced, or undefined when it changed since `seen` was read (409). */
  replace(seen: StoredLease, record: LeaseRecord): Promise<StoredLease | undefined>;
};

export type LeaseRef = Readonly<{ namespace: string; name: string }>;
