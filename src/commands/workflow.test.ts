import { describe, expect, it } from 'vitest';
import { workflowRequest } from './workflow.ts';

describe('workflowRequest', () => {
  it('runs deploy as the deploy-app workflow, with the app and the namespace given', () => {
    const withNamespace = workflowRequest({ name: 'deploy', app: 'checkout', namespace: 'shop' });
    const without = workflowRequest({ name: 'deploy', app: 'checkout' });

    expect(withNamespace).toEqual({
      name: 'deploy-app',
      inputs: { app: 'checkout', namespace: 'shop' },
    });
    expect(without).toEqual({ name: 'deploy-app', inputs: { app: 'checkout' } });
  });

  it('runs a named workflow with its inputs as given', () => {
    const request = workflowRequest({
      name: 'workflow',
      workflow: 'drain',
      inputs: { node: 'n1' },
    });

    expect(request).toEqual({ name: 'drain', inputs: { node: 'n1' } });
  });
});
