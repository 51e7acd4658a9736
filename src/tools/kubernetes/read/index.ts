import { describeObject } from './describe.ts';
import { listEvents } from './events.ts';
import { getObjects } from './get.ts';
import { podLogs } from './logs.ts';
import { listNodes } from './nodes.ts';
import { listPods } from './pods.ts';
import { rolloutStatus } from './rollout.ts';
import { top } from './top.ts';

/** The Kubernetes read tools, in the order a model is shown them (stable, for prompt caching). */
export const KUBERNETES_READ_TOOLS = [
  listPods,
  describeObject,
  podLogs,
  listEvents,
  listNodes,
  top,
  rolloutStatus,
  getObjects,
] as const;

export { describeObject, getObjects, listEvents, listNodes, listPods, podLogs, rolloutStatus, top };
