import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { type CorrelatedEvent, EventCorrelator, LruMap } from './event-correlator.ts';
import { EventRecorder } from './events.ts';

const EVENTS = findResource('', 'v1', 'events') as ResourceType;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const KUBELET = { component: 'kubelet', host: 'node-1' };

function world() {
  const store = new ObjectStore();
  let at = Date.parse('2026-01-01T00:00:00Z');
  store.now = () => new Date(at);
  const advance = (seconds: number) => {
    at += seconds * 1000;
  };
  store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const pod = store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { containers: [{ name: 'app', image: 'x' }] },
  });
  const events = () => store.list(EVENTS, 'shop');
  const total = () => events().reduce((sum, e) => sum + Number(e.count), 0);
  return { store, recorder: new EventRecorder(store), pod, events, total, advance };
}

function about(name: string, message: string): CorrelatedEvent {
  return {
    source: KUBELET,
    involvedObject: { kind: 'Pod', namespace: 'shop', name, uid: `uid-${name}` },
    type: 'Normal',
    reason: 'Pulled',
    message,
  };
}

describe('the event recorder as client-go correlates events', () => {
  it('writes a burst of 25 events about one object and drops the rest, repeats included', () => {
    const { recorder, pod, events } = world();

    for (let i = 0; i < 40; i += 1) {
      recorder.record(pod, 'Normal', `Reason${i % 30}`, 'same message', KUBELET);
    }

    const written = events();
    expect(written).toHaveLength(25);
    expect(written.every((e) => e.count === 1)).toBe(true);
  });

  it('refills one event every five minutes, and the written repeat counts the dropped ones', () => {
    const { recorder, pod, events, advance } = world();
    for (let i = 0; i < 25; i += 1) recorder.record(pod, 'Normal', `R${i}`, 'm', KUBELET);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', KUBELET);
    advance(299);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', KUBELET);
    expect(events().filter((e) => e.reason === 'BackOff')).toHaveLength(0);

    advance(1);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', KUBELET);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', KUBELET);

    const backOff = events().filter((e) => e.reason === 'BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0]?.count).toBe(3);
  });

  it('keeps one bucket per source and object', () => {
    const { store, recorder, pod, events } = world();
    const other = store.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'x' }] },
    });
    for (let i = 0; i < 30; i += 1) recorder.record(pod, 'Normal', `R${i}`, 'm', KUBELET);

    recorder.record(other, 'Normal', 'Scheduled', 'assigned', { component: 'default-scheduler' });
    recorder.record(pod, 'Normal', 'Scheduled', 'assigned', { component: 'default-scheduler' });

    expect(events().filter((e) => e.reason === 'Scheduled')).toHaveLength(2);
  });

  it('combines the tenth similar event with another message within ten minutes', () => {
    const { recorder, pod, events, advance } = world();

    for (let i = 0; i < 14; i += 1) {
      recorder.record(pod, 'Warning', 'Unhealthy', `Liveness probe failed: try ${i}`, KUBELET);
      advance(30);
    }

    const messages = events().map((e) => `${e.count} ${e.message}`);
    expect(messages).toHaveLength(10);
    expect(messages.filter((m) => m.includes('combined'))).toEqual([
      '5 (combined from similar events): Liveness probe failed: try 13',
    ]);
  });

  it('starts afresh when similar events are more than ten minutes apart', () => {
    const { recorder, pod, events, advance } = world();

    for (let i = 0; i < 12; i += 1) {
      recorder.record(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${i}`, KUBELET);
      advance(601);
    }

    expect(events().some((e) => String(e.message).startsWith('(combined'))).toBe(false);
  });

  it('keeps a thousand containers of a pod recreated twenty times to a few hundred events', () => {
    const { store, recorder, events } = world();

    for (let round = 0; round < 20; round += 1) {
      const pod: KObject = store.create(PODS, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `big-${round}`, namespace: 'shop' },
        spec: { containers: [{ name: 'app', image: 'x' }] },
      });
      for (let c = 0; c < 1000; c += 1) {
        const field = `spec.containers{c${c}}`;
        recorder.record(pod, 'Normal', 'Pulled', `Container image "x${c}" present`, KUBELET, field);
        recorder.record(pod, 'Normal', 'Created', `Created container c${c}`, KUBELET, field);
        recorder.record(pod, 'Normal', 'Started', `Started container c${c}`, KUBELET, field);
      }
    }

    expect(events()).toHaveLength(20 * 25);
  });
});

describe('the correlator caches', () => {
  it('stay within their bound however many objects speak', () => {
    const correlator = new EventCorrelator(() => new Date(0), 100);

    for (let i = 0; i < 5000; i += 1) correlator.correlate(about(`pod-${i}`, 'm'));

    expect(correlator.cachedKeys).toBe(300);
  });

  it('forget the least recently used entry first', () => {
    const lru = new LruMap<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);

    lru.get('a');
    lru.set('c', 3);

    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('drop the twenty-sixth event of a burst about one object', () => {
    const correlator = new EventCorrelator(() => new Date(0));

    const results = Array.from({ length: 26 }, (_, i) => correlator.correlate(about('a', `${i}`)));

    expect(results.filter((r) => r.skip)).toHaveLength(1);
    expect(results[25]?.skip).toBe(true);
  });
});
