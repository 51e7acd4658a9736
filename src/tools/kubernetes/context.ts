import { z } from 'zod';
import type { Cluster } from './cluster.ts';

/**
 * What every Kubernetes tool runs with: the cluster the request is for, and the namespaces the
 * asker may see (their channel's binding; `['*']` for the terminal, which has the kubeconfig's
 * own rights).
 */
export type KubeContext = { cluster: Cluster; namespaces?: readonly string[] };

export const Namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name')
  .describe('Namespace of the object');

export const Name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be an object name')
  .describe('Name of the object');
