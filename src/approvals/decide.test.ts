import { describe, expect, it } from 'vitest';
import type { ButtonClick } from '../chat/inbound.ts';
import { clicker, decided, fromChat } from './decide.ts';
import type { ProposalRecord } from './proposal-store.ts';

const click = (channel: string, requester: string, memberOf?: string[]): ButtonClick => ({
  channel,
  requester,
  action: 'approve',
  value: 'pAbc123',
  clickId: 'c-1',
  ...(memberOf === undefined ? {} : { memberOf }),
});

function record(state: ProposalRecord['state'], decidedBy?: string): ProposalRecord {
  return {
    id: 'pAbc123',
    runId: 'run-1',
    agent: 'k8s-diagnostician',
    state,
    createdAt: '2026-12-06T10:00:00.000Z',
    action: {
      type: 'patch',
      verb: 'patch',
      target: {
        cluster: 'prod',
        namespace: 'payments',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'api',
        uid: 'u-1',
        resourceVersion: '7',
      },
      change: { method: 'patch', patchType: 'strategic', body: {} },
      summary: 'patch deployment payments/api',
      changes: [],
      diff: '',
      digest: '0'.repeat(64),
    },
    origin: {
      channel: 'slack:C0OPS',
      requester: 'slack:U0ASK',
      cluster: 'prod',
      expiresAt: '2026-12-06T11:00:00.000Z',
    },
    decidedBy,
    decidedAt: undefined,
    decidedVia: [],
    result: undefined,
    supersededBy: undefined,
    applied: undefined,
    transitions: [],
  };
}

describe('clicker', () => {
  it('is the verified clicker with the groups the platform named, or none', () => {
    expect(clicker(click('slack:C0OPS', 'slack:U1', ['slack:group:S0SRE']))).toEqual({
      id: 'slack:U1',
      memberOf: ['slack:group:S0SRE'],
    });
    expect(clicker(click('web:ops', 'web:dana'))).toEqual({ id: 'web:dana', memberOf: [] });
  });
});

describe('fromChat', () => {
  it('is a Slack or Discord click, not the console or a dashboard session', () => {
    expect(fromChat(click('slack:C0OPS', 'slack:U1'))).toBe(true);
    expect(fromChat(click('discord:42', 'discord:7'))).toBe(true);
    expect(fromChat(click('web:ops', 'web:dana'))).toBe(false);
    expect(fromChat(click('slack:C0OPS', 'web:dana'))).toBe(false);
  });
});

describe('decided', () => {
  it('says what became of a card no longer pending, and by whom', () => {
    expect(decided(record('rejected', 'slack:U0LEAD'))).toEqual([
      'This proposal was already rejected by U0LEAD',
    ]);
    expect(decided(record('succeeded', 'web:dana'))).toEqual([
      'This proposal was already approved by dana',
      'It is succeeded.',
    ]);
    expect(decided(record('expired'))).toEqual([
      'This proposal has expired',
      'Nothing was changed. Ask again for a fresh one.',
    ]);
    expect(decided(record('superseded'))[0]).toBe('This proposal was superseded');
  });
});
