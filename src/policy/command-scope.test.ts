import { describe, expect, it } from 'vitest';
import { Binding } from '../config/policy-schema.ts';
import { commandScope, inScope } from './command-scope.ts';

const bound = (fields: Record<string, unknown>) =>
  Binding.parse({ channel: 'web:ops', clusters: ['prod', 'staging'], ...fields });

describe('commandScope', () => {
  it('refuses a channel with no binding and says how to add one', () => {
    const scope = commandScope({ name: 'status' }, undefined, ['prod']);

    expect(scope.allowed).toBe(false);
    expect(scope.allowed ? '' : scope.reason).toMatch(/no binding.*help.*bindings:/s);
  });

  it('uses the first bound cluster unless the command names one', () => {
    const binding = bound({ namespaces: ['*'] });

    expect(commandScope({ name: 'status' }, binding, ['prod', 'staging'])).toMatchObject({
      allowed: true,
      cluster: 'prod',
    });
    expect(
      commandScope({ name: 'status', cluster: 'staging' }, binding, ['prod', 'staging']),
    ).toMatchObject({ allowed: true, cluster: 'staging' });
  });

  it('refuses a cluster or namespace outside the binding, naming what is bound', () => {
    const binding = bound({ namespaces: ['payments', 'shop-*'] });

    const cluster = commandScope({ name: 'status', cluster: 'dev' }, binding, ['prod']);
    const namespace = commandScope({ name: 'diagnose', namespace: 'kube-system' }, binding, []);

    expect(cluster.allowed ? '' : cluster.reason).toContain('not bound to cluster dev');
    expect(namespace.allowed ? '' : namespace.reason).toContain(
      'not bound to namespace kube-system',
    );
    expect(namespace.allowed ? '' : namespace.reason).toContain('payments, shop-*');
  });

  it('takes the one namespace a channel is bound to when none is given', () => {
    const binding = bound({ namespaces: ['payments'] });

    const diagnose = commandScope({ name: 'diagnose' }, binding, []);
    const rollback = commandScope({ name: 'rollback', app: 'api' }, binding, []);

    expect(diagnose).toMatchObject({ allowed: true, namespace: 'payments' });
    expect(rollback).toMatchObject({ allowed: true, namespace: 'payments' });
  });

  it('asks for -n when the channel may see only some namespaces', () => {
    const binding = bound({ namespaces: ['payments', 'shop-*'] });

    const everything = commandScope({ name: 'diagnose' }, binding, []);
    const rollback = commandScope({ name: 'rollback', app: 'api' }, binding, []);
    const oneNamespace = commandScope({ name: 'diagnose', namespace: 'payments' }, binding, []);
    const node = commandScope(
      { name: 'diagnose', target: { kind: 'Node', name: 'worker-1' } },
      binding,
      [],
    );

    expect(everything.allowed ? '' : everything.reason).toContain('give a namespace with -n');
    expect(rollback.allowed ? '' : rollback.reason).toContain("give the deployment's namespace");
    expect(oneNamespace).toMatchObject({ allowed: true, namespaces: ['payments', 'shop-*'] });
    expect(node.allowed).toBe(true);
  });
});

describe('inScope', () => {
  it('matches namespaces by glob, and cluster-scoped objects always', () => {
    expect(inScope(['shop-*'], 'shop-eu')).toBe(true);
    expect(inScope(['shop-*'], 'payments')).toBe(false);
    expect(inScope(['shop-*'], undefined)).toBe(true);
  });
});
