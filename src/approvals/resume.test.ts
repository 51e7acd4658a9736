import { describe, expect, it } from 'vitest';
import { proposalRecord } from '../../test/support/proposal-record.ts';
import { Binding } from '../config/policy-schema.ts';
import { resumeAfterDecision } from './resume.ts';

const bindings = [
  Binding.parse({
    channel: 'slack:C0OPS',
    clusters: ['prod'],
    namespaces: ['payments', 'billing', 'identity'],
    approvers: ['slack:U0SRE'],
  }),
];

const origin = {
  channel: 'slack:C0OPS',
  requester: 'alert:PaymentsDown',
  cluster: 'prod',
  expiresAt: '2026-12-06T11:00:00.000Z',
  threadKey: 'alert.abc',
  conversation: 'alert:alert.abc',
};

async function followUp(namespaces?: string[]) {
  const queued: { namespaces?: string[] }[] = [];
  await resumeAfterDecision(
    proposalRecord({
      state: 'rejected',
      decidedBy: 'slack:U0SRE',
      origin: { ...origin, ...(namespaces === undefined ? {} : { namespaces }) },
    }),
    { add: async (_name, data) => queued.push(data as { namespaces?: string[] }) },
    bindings,
  );
  return queued[0]?.namespaces;
}

describe('the follow-up of a decided proposal', () => {
  it('sees no more than the question that proposed it could (an alert’s one namespace)', async () => {
    expect(await followUp(['payments'])).toEqual(['payments']);
  });

  it('sees the binding’s scope as it is now when the question had the binding’s', async () => {
    expect(await followUp()).toEqual(['payments', 'billing', 'identity']);
    expect(await followUp(['*'])).toEqual(['payments', 'billing', 'identity']);
  });
});
