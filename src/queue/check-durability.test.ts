import { expect, it } from 'vitest';
import { riskySettings } from './check-durability.ts';

it('names each setting that could lose jobs, with the value to set', () => {
  expect(riskySettings({ 'maxmemory-policy': 'noeviction', appendonly: 'yes' })).toEqual([]);
  expect(riskySettings({ 'maxmemory-policy': 'allkeys-lru', appendonly: 'no' })).toEqual([
    { setting: 'maxmemory-policy', found: 'allkeys-lru', want: 'noeviction' },
    { setting: 'appendonly', found: 'no', want: 'yes' },
  ]);
  expect(riskySettings({ 'maxmemory-policy': 'noeviction' })).toEqual([
    { setting: 'appendonly', found: undefined, want: 'yes' },
  ]);
});
