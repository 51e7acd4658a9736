import { describe, expect, it } from 'vitest';
import { nextMoves } from './plan.ts';
import type { StepRecord } from './run-record.ts';
import type { YamlStep } from './yaml-schema.ts';

const step = (name: string, extra: Partial<YamlStep> = {}): YamlStep => ({
  name,
  action: 'report',
  on_failure: 'stop',
  ...extra,
});

const done: StepRecord = { state: 'succeeded', outputs: {}, proposals: [] };
const failed: StepRecord = { state: 'failed', error: 'boom' };
const pending: StepRecord = { state: 'pending' };

describe('what a run does next', () => {
  it('starts the first step, then each step after the one before it', () => {
    const steps = [step('a'), step('b'), step('c')];

    expect(nextMoves(steps, { a: pending, b: pending, c: pending }).start).toEqual(['a']);
    expect(nextMoves(steps, { a: done, b: pending, c: pending }).start).toEqual(['b']);
  });

  it('starts together the steps whose needs are met, and a join once all it needs are done', () => {
    const steps = [
      step('a'),
      step('b', { needs: ['a'] }),
      step('c', { needs: ['a'] }),
      step('d', { needs: ['b', 'c'] }),
    ];

    expect(nextMoves(steps, { a: done, b: pending, c: pending, d: pending }).start).toEqual([
      'b',
      'c',
    ]);
    expect(
      nextMoves(steps, {
        a: done,
        b: done,
        c: {
          state: 'running',
          work: { type: 'action', action: 'report', inputs: {}, confirm: false },
        },
        d: pending,
      }).start,
    ).toEqual([]);
    expect(
      nextMoves(steps, { a: done, b: done, c: { state: 'skipped', reason: 'false' }, d: pending })
        .start,
    ).toEqual(['d']);
  });

  it('halts on a failure: nothing new starts, what waits is skipped saying why, the run fails', () => {
    const steps = [step('a'), step('b')];

    const moves = nextMoves(steps, { a: failed, b: pending });

    expect(moves.start).toEqual([]);
    expect(moves.skip).toEqual([{ step: 'b', reason: 'the run stopped at a (failed)' }]);
    expect(moves.outcome).toEqual({ state: 'failed', summary: 'a failed: boom' });
  });

  it('goes on past a failure marked continue, and the run succeeds saying what failed', () => {
    const steps = [step('a', { on_failure: 'continue' }), step('b')];

    expect(nextMoves(steps, { a: failed, b: pending }).start).toEqual(['b']);
    expect(nextMoves(steps, { a: failed, b: done }).outcome).toEqual({
      state: 'succeeded',
      summary: '1 of 2 steps ran; a failed and the run went on',
    });
  });

  it('runs a handler only when the step it handles fails', () => {
    const steps = [step('a', { on_failure: 'cleanup' }), step('b'), step('cleanup')];

    expect(nextMoves(steps, { a: done, b: pending, cleanup: pending }).start).toEqual(['b']);
    const finished = nextMoves(steps, { a: done, b: done, cleanup: pending });
    expect(finished.skip).toEqual([{ step: 'cleanup', reason: 'no step it handles failed' }]);
    expect(finished.outcome?.state).toBe('succeeded');
    expect(nextMoves(steps, { a: failed, b: pending, cleanup: pending }).start).toEqual([
      'cleanup',
    ]);
  });

  it('stops at a gate that was said no to', () => {
    const steps = [step('fix'), step('after')];

    const moves = nextMoves(steps, {
      fix: { state: 'stopped', reason: 'rejected by web:sre' },
      after: pending,
    });

    expect(moves.outcome).toEqual({
      state: 'stopped',
      summary: 'stopped at fix: rejected by web:sre',
    });
  });

  it('waits while a gate waits', () => {
    const steps = [step('fix'), step('after')];
    const waiting: StepRecord = {
      state: 'waiting',
      work: { type: 'action', action: 'scale', inputs: {}, confirm: true },
      proposals: ['p1'],
      outputs: {},
    };

    expect(nextMoves(steps, { fix: waiting, after: pending })).toEqual({ start: [], skip: [] });
  });
});
