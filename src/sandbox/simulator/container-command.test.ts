import { describe, expect, it } from 'vitest';
import { interpret } from './container-command.ts';

describe('a container command', () => {
  it.each([
    [['sh', '-c', 'exit 1'], [], { exitCode: 1, seconds: 0, output: [] }],
    [['/bin/sh', '-c'], ['exit 42'], { exitCode: 42, seconds: 0, output: [] }],
    [['false'], [], { exitCode: 1, seconds: 0, output: [] }],
    [['true'], [], { exitCode: 0, seconds: 0, output: [] }],
    [['echo', 'hi'], [], { exitCode: 0, seconds: 0, output: ['hi'] }],
    [['sleep'], ['30'], { exitCode: 0, seconds: 30, output: [] }],
    [
      ['sh', '-c', 'echo "a b" && sleep 2m; exit 3'],
      [],
      { exitCode: 3, seconds: 120, output: ['a b'] },
    ],
    [
      ['bash', '-ec', 'false || echo fallback'],
      [],
      { exitCode: 0, seconds: 0, output: ['fallback'] },
    ],
    [['sh', '-c', 'false && echo never'], [], { exitCode: 1, seconds: 0, output: [] }],
  ])('%j %j runs to its end', (command, args, expected) => {
    const script = interpret(command, args);

    expect(script).toEqual({ ...expected, understood: true });
  });

  it.each([
    [['sleep', 'infinity'], true],
    [['sh', '-c', 'echo start; sleep infinity'], true],
    [['nginx', '-g', 'daemon off;'], false],
    [['sh', '-c', 'while true; do echo tick; sleep 5; done'], false],
    [[], false],
  ])('%j runs until stopped', (command, understood) => {
    const script = interpret(command);

    expect(script.seconds).toBeUndefined();
    expect(script.understood).toBe(understood);
  });
});
