import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import {
  countName,
  exceeded,
  formatQuantity,
  hardOf,
  missingCompute,
  printList,
  usageOf,
  usedFor,
} from './quota-usage.ts';
import type { KObject } from './store.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceType;
const SERVICES = findResource('', 'v1', 'services') as ResourceType;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceType;

function pod(containers: unknown[], phase = 'Running'): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'n' },
    spec: { containers },
    status: { phase },
  };
}

const quota = (hard: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'q', namespace: 'n' },
  spec: { hard },
});

describe('quota arithmetic', () => {
  it("sums a pod's containers, requests falling back to limits as defaulting does", () => {
    const usage = usageOf(
      PODS,
      pod([
        { name: 'a', resources: { requests: { cpu: '250m', memory: '128Mi' } } },
        { name: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } },
      ]),
    );

    expect(usage).toEqual({
      'count/pods': 1,
      pods: 1,
      cpu: 1250,
      'requests.cpu': 1250,
      memory: 1152 * 2 ** 20,
      'requests.memory': 1152 * 2 ** 20,
      'limits.cpu': 1000,
      'limits.memory': 2 ** 30,
    });
  });

  it('does not count finished pods', () => {
    expect(usageOf(PODS, pod([{ name: 'a' }], 'Succeeded'))).toEqual({});
  });

  it('counts services by type and other kinds by count/<resource>', () => {
    const nodePort: KObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] },
    };

    expect(usageOf(SERVICES, nodePort)).toEqual({
      'count/services': 1,
      services: 1,
      'services.nodeports': 2,
    });
    expect(countName(DEPLOYMENTS)).toBe('count/deployments.apps');
    expect(usageOf(DEPLOYMENTS, { ...nodePort, kind: 'Deployment' })).toEqual({
      'count/deployments.apps': 1,
    });
  });

  it('finds what a request would take beyond the hard limits, sorted', () => {
    const hard = hardOf(quota({ pods: '2', 'requests.cpu': '1', 'limits.cpu': '2' }));
    const used = usedFor(hard, [
      { pods: 1, 'requests.cpu': 800 },
      { pods: 1, 'requests.cpu': 100 },
    ]);

    const over = exceeded(hard, used, { pods: 1, 'requests.cpu': 200 });

    expect(used).toEqual({ pods: 2, 'requests.cpu': 900, 'limits.cpu': 0 });
    expect(over).toEqual(['pods', 'requests.cpu']);
    expect(printList({ pods: 1, 'requests.cpu': 200 }, over)).toBe('pods=1,requests.cpu=200m');
    expect(printList(hard, over, { pods: '2', 'requests.cpu': '1' })).toBe('pods=2,requests.cpu=1');
  });

  it('names the containers that leave out a resource a compute quota limits', () => {
    const hard = hardOf(quota({ 'limits.cpu': '2', 'requests.cpu': '1', pods: '5' }));

    const missing = missingCompute(hard, [
      { name: 'app' },
      { name: 'sidecar', resources: { limits: { cpu: '100m' } } },
    ]);

    expect(missing).toEqual(['limits.cpu for: app', 'requests.cpu for: app']);
  });

  it('prints quantities as the quota controller does', () => {
    expect(formatQuantity('requests.cpu', 1500)).toBe('1500m');
    expect(formatQuantity('limits.cpu', 2000)).toBe('2');
    expect(formatQuantity('requests.memory', 256 * 2 ** 20)).toBe('256Mi');
    expect(formatQuantity('requests.storage', 10 * 2 ** 30)).toBe('10Gi');
    expect(formatQuantity('pods', 3)).toBe('3');
  });
});
