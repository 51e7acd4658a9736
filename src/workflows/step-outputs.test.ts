import { describe, expect, it } from 'vitest';
import { checkOutputs, lastJsonObject, outputsInstruction } from './step-outputs.ts';

describe("a step's declared outputs", () => {
  it('reads the last JSON object of an answer, past braces in its prose', () => {
    const answer = 'The pod {api} was OOM killed.\n{"cause": "oom", "pod": "api-1", "restarts": 4}';

    expect(lastJsonObject(answer)).toEqual({ cause: 'oom', pod: 'api-1', restarts: 4 });
    expect(lastJsonObject('no JSON here')).toBeUndefined();
  });

  it('keeps the declared fields of their types, and names every one that is not', () => {
    expect(
      checkOutputs(
        { cause: 'string', restarts: 'number' },
        { cause: 'oom', restarts: 4, extra: 1 },
      ),
    ).toEqual({
      ok: true,
      outputs: { cause: 'oom', restarts: 4 },
    });
    expect(
      checkOutputs(
        { cause: 'string', restarts: 'number', pods: 'list' },
        { restarts: 'four', pods: [] },
      ),
    ).toEqual({
      ok: false,
      error:
        'its outputs do not match what it declares: cause: missing (string expected); restarts: "four" is not a number',
    });
    expect(checkOutputs(['summary'], {})).toEqual({
      ok: false,
      error: 'its outputs do not match what it declares: summary: missing',
    });
  });

  it('asks the agent for exactly the declared fields', () => {
    expect(outputsInstruction({ cause: 'string' })).toContain('{"cause": string}');
  });
});
