import { describe, expect, it } from 'vitest';
import { parseCommand, parseCommandText } from './grammar.ts';

describe('parseCommandText', () => {
  it('reads status, diagnose and help, with or without /coxswain or @coxswain', () => {
    expect(parseCommandText('status')).toEqual({ ok: true, command: { name: 'status' } });
    expect(parseCommandText('  /coxswain help ')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parseCommandText('@coxswain diagnose deploy/payments-api -n payments')).toEqual({
      ok: true,
      command: {
        name: 'diagnose',
        namespace: 'payments',
        target: { kind: 'Deployment', name: 'payments-api' },
      },
    });
  });

  it('leaves text that is not a command alone', () => {
    expect(parseCommandText('why is checkout crashlooping?')).toBeUndefined();
    expect(parseCommandText('statuses look fine')).toBeUndefined();
    expect(parseCommandText('')).toBeUndefined();
  });
});

describe('parseCommand', () => {
  it('takes flags in either form and the cluster for both commands', () => {
    expect(parseCommand(['diagnose', '--namespace=orders', '--cluster', 'prod'])).toEqual({
      ok: true,
      command: { name: 'diagnose', namespace: 'orders', cluster: 'prod' },
    });
    expect(parseCommand(['status', '--cluster=prod'])).toEqual({
      ok: true,
      command: { name: 'status', cluster: 'prod' },
    });
  });

  it('reads deploy, rollback and workflow with their arguments', () => {
    expect(parseCommand(['deploy', 'checkout', '-n', 'shop'])).toEqual({
      ok: true,
      command: { name: 'deploy', app: 'checkout', namespace: 'shop' },
    });
    expect(parseCommandText('/coxswain rollback orders-api -n orders --cluster prod')).toEqual({
      ok: true,
      command: { name: 'rollback', app: 'orders-api', namespace: 'orders', cluster: 'prod' },
    });
    expect(parseCommandText('workflow deploy-app app=checkout note=a=b')).toEqual({
      ok: true,
      command: {
        name: 'workflow',
        workflow: 'deploy-app',
        inputs: { app: 'checkout', note: 'a=b' },
      },
    });
  });

  it('knows kind aliases for pods, deployments and nodes', () => {
    const kinds = ['po/a', 'pods/a', 'deployment/a', 'no/a'].map((spec) => {
      const parsed = parseCommand(['diagnose', spec]);
      return parsed.ok && parsed.command.name === 'diagnose'
        ? parsed.command.target?.kind
        : 'error';
    });

    expect(kinds).toEqual(['Pod', 'Pod', 'Deployment', 'Node']);
  });

  it.each([
    [['diagnose', 'service/web'], 'is not KIND/NAME'],
    [['diagnose', 'pod/Bad_Name'], 'is not an object name'],
    [['diagnose', 'a/b', 'c/d'], 'takes one KIND/NAME'],
    [['diagnose', 'pod/a/b'], 'is not KIND/NAME'],
    [['diagnose', '-n', 'pay.ments'], 'is not a namespace name'],
    [['status', '--cluster', 'Prod!'], 'is not a cluster name'],
    [['diagnose', '-n'], '-n needs a value'],
    [['diagnose', '-n', 'Not-OK'], 'is not a namespace name'],
    [['status', '-n', 'payments'], 'takes no -n'],
    [['status', 'now'], 'takes no arguments'],
    [['diagnose', '--force'], 'unknown option --force'],
    [['help', 'me'], 'help takes no arguments'],
    [['restart', 'x'], 'unknown command'],
    [['deploy'], 'needs the app'],
    [['rollback', 'a', 'b'], 'takes one app'],
    [['rollback', 'Bad_App'], 'is not an app name'],
    [['workflow'], 'needs a name'],
    [['workflow', 'x', 'novalue'], 'is not key=value'],
    [['workflow', 'x', '-n', 'payments'], 'as an input'],
  ])('refuses %j with a message saying why', (words, reason) => {
    const parsed = parseCommand(words);

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(reason);
  });
});
