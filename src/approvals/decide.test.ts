import { describe, expect, it } from 'vitest';
import { proposalRecord } from '../../test/support/proposal-record.ts';
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
  return proposalRecord({ state, decidedBy });
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
