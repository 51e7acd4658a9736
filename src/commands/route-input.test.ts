import { describe, expect, it } from 'vitest';
import { Binding } from '../config/policy-schema.ts';
import { inputId, mentionOf, routeInput } from './route-input.ts';

const bindings = [
  Binding.parse({ channel: 'web:ops', clusters: ['prod', 'staging'], namespaces: ['*'] }),
  Binding.parse({ channel: 'web:payments', clusters: ['prod'], namespaces: ['payments'] }),
];
const clusters = ['prod', 'staging'];
const route = (text: string, channel = 'web:ops', addressed = false) =>
  routeInput({ channel, text, addressed }, bindings, clusters);

describe('routeInput', () => {
  it('takes text addressed to the bot that is not a command as a question', () => {
    expect(route('  why is checkout down? ', 'web:ops', true)).toEqual({
      kind: 'question',
      question: 'why is checkout down?',
    });
    expect(route('@coxswain, why is checkout down?')).toEqual({
      kind: 'question',
      question: 'why is checkout down?',
    });
  });

  it('ignores chatter not addressed to the bot, and empty text', () => {
    expect(route('why is checkout down?')).toEqual({ kind: 'ignored' });
    expect(route('   ', 'web:ops', true)).toEqual({ kind: 'ignored' });
    expect(route('@coxswain')).toEqual({ kind: 'ignored' });
  });

  it('answers help with the channel binding, bound or not', () => {
    expect(route('help')).toEqual({ kind: 'help', binding: bindings[0] });
    expect(route('/coxswain help', 'web:elsewhere')).toEqual({ kind: 'help', binding: undefined });
  });

  it('says why a command cannot be read', () => {
    const unreadable = route('diagnose --force');

    expect(unreadable).toEqual({ kind: 'unreadable', error: 'unknown option --force' });
  });

  it('sends deploy and workflow to the workflows, unscoped', () => {
    expect(route('deploy checkout -n shop')).toEqual({
      kind: 'workflow',
      command: { name: 'deploy', app: 'checkout', namespace: 'shop' },
    });
    expect(route('workflow restart-app app=a', 'web:elsewhere')).toEqual({
      kind: 'workflow',
      command: { name: 'workflow', workflow: 'restart-app', inputs: { app: 'a' } },
    });
  });

  it('runs a skill in the scope the binding gives: its first cluster, its one namespace', () => {
    expect(route('status')).toEqual({
      kind: 'skill',
      command: { name: 'status', cluster: 'prod' },
    });
    expect(route('diagnose deploy/api', 'web:payments')).toEqual({
      kind: 'skill',
      command: {
        name: 'diagnose',
        cluster: 'prod',
        namespace: 'payments',
        target: { kind: 'Deployment', name: 'api' },
      },
    });
  });

  it('refuses a skill the channel binding does not allow, saying why', () => {
    const unbound = route('status', 'web:elsewhere');
    const otherCluster = route('status --cluster staging', 'web:payments');

    expect(unbound).toMatchObject({ kind: 'refused', headline: 'I cannot run status here' });
    expect(unbound.kind === 'refused' ? unbound.reason : '').toMatch(/no binding/);
    expect(otherCluster).toMatchObject({ kind: 'refused', headline: 'I cannot run status here' });
  });
});

describe('mentionOf', () => {
  it('finds the question after a mention at the start only', () => {
    expect(mentionOf('@Coxswain: what changed?')).toBe('what changed?');
    expect(mentionOf('ask @coxswain what changed?')).toBeUndefined();
    expect(mentionOf('@coxswainbot hi')).toBeUndefined();
  });
});

describe('inputId', () => {
  it('makes a job id part from the channel and message, replacing what ids cannot hold', () => {
    expect(inputId({ channel: 'slack:C1', messageId: '1700000000.000100' })).toBe(
      'slack.C1.1700000000.000100',
    );
    expect(inputId({ channel: 'web:ops', messageId: 'a/b c' })).toBe('web.ops.a_b_c');
  });
});
