import type {
  V1CronJob,
  V1EndpointSlice,
  V1Job,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyze } from './index.ts';

const NS = 'shop';
const NOW = new Date('2026-12-07T10:30:00Z');

const node: V1Node = {
  metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1' } },
  spec: {},
  status: {
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
    conditions: [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure' },
      { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID' },
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
      },
    ],
  },
};

const pod = (name: string): V1Pod => ({
  metadata: { name, namespace: NS, labels: { app: 'web' } },
  spec: {
    nodeName: 'worker-1',
    containers: [
      {
        name: 'web',
        image: 'web:1',
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: { requests: { cpu: '100m' } },
      },
    ],
  },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'web',
        image: 'web:1',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: new Date('2026-12-07T08:00:00Z') } },
      },
    ],
  },
});

const service: V1Service = {
  metadata: { name: 'web', namespace: NS },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
};
const manual: V1Service = {
  metadata: { name: 'legacy-db', namespace: NS },
  spec: { ports: [{ port: 5432 }] },
};
const slice: V1EndpointSlice = {
  addressType: 'IPv4',
  metadata: { name: 'web-x', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
  endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
};
const hpa: V2HorizontalPodAutoscaler = {
  metadata: { name: 'web', namespace: NS },
  spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 6 },
  status: {
    currentReplicas: 2,
    desiredReplicas: 2,
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
    ],
  },
};
const pdb: V1PodDisruptionBudget = {
  metadata: { name: 'web', namespace: NS },
  spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
  status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
};
const job: V1Job = {
  metadata: { name: 'nightly-29944140', namespace: NS },
  status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
};
const cronJob: V1CronJob = {
  metadata: { name: 'nightly', namespace: NS },
  spec: { schedule: '0 2 * * *', jobTemplate: {} },
  status: {
    lastScheduleTime: new Date('2026-12-07T02:00:00Z'),
    lastSuccessfulTime: new Date('2026-12-07T02:03:00Z'),
  },
};

it('finds nothing in a namespace where every kind the analyzers read is well', () => {
  const snapshot = {
    ...emptySnapshot(),
    nodes: [node],
    pods: [pod('web-1'), pod('web-2')],
    services: [service, manual],
    endpointSlices: [slice],
    hpas: [hpa],
    pdbs: [pdb],
    jobs: [job],
    cronJobs: [cronJob],
  };

  expect(analyze(snapshot, NOW)).toEqual([]);
});
