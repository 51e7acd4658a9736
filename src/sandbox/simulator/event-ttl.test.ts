import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { ObjectStore } from '../api/store.ts';
import { EVENT_TTL_MS, expireEvents } from './event-ttl.ts';

const EVENTS = findResource('', 'v1', 'events') as ResourceType;

function event(name: string, lastTimestamp: string) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web' },
    reason: 'Pulled',
    lastTimestamp,
  };
}

describe('expireEvents', () => {
  it('drops events last written more than an hour ago and keeps the rest', () => {
    const store = new ObjectStore();
    const now = Date.parse('2026-12-07T12:00:00Z');
    store.now = () => new Date(now - 2 * EVENT_TTL_MS);
    store.create(EVENTS, event('old', new Date(now - EVENT_TTL_MS - 1000).toISOString()));
    store.create(EVENTS, event('recent', new Date(now - EVENT_TTL_MS + 1000).toISOString()));
    store.now = () => new Date(now);

    expireEvents(store);

    expect(store.list(EVENTS).map((e) => e.metadata.name)).toEqual(['recent']);
  });

  it('counts the creation time when the event names no other', () => {
    const store = new ObjectStore();
    const start = Date.parse('2026-12-07T12:00:00Z');
    store.now = () => new Date(start);
    const { lastTimestamp: _, ...bare } = event('bare', '');
    store.create(EVENTS, bare);

    store.now = () => new Date(start + EVENT_TTL_MS + 1000);
    expireEvents(store);

    expect(store.list(EVENTS)).toEqual([]);
  });
});
