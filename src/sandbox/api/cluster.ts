import type { KObject, ObjectStore } from './store.ts';

/**
 * What the API server needs from the world behind it: the objects, the world brought up to now
 * before each request, and what only running containers and nodes know (logs, usage). The simulator provides
 * it; declaring it here keeps the API server from depending on the simulator.
 */
export type Cluster = {
  readonly store: ObjectStore;
  catchUp(): void;
  logs(
    pod: KObject,
    container: string | undefined,
    previous: boolean,
  ): { at: number; text: string }[];
  /** The same log, read again as the container writes, until that run of it ends. */
  followLog(
    pod: KObject,
    container: string | undefined,
    previous: boolean,
  ): { lines(): { at: number; text: string }[]; ended(): boolean };
  podMetrics(namespace: string | undefined): KObject[];
  nodeMetrics(): KObject[];
};
