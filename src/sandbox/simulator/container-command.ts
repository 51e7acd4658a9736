/**
 * What a container's `command` and `args` do, for images no scenario defines: enough of a shell
 * that the shapes people put in manifests behave as they would (`sh -c "exit 1"` fails with 1,
 * `sleep 30` ends after 30 s, `echo hi` prints and ends, `sleep infinity` stays). Anything else
 * is taken for a long-running server, which is what an unknown program usually is.
 */
export type Script = {
  /** Lines it writes to stdout. */
  output: string[];
  /** Seconds until it exits by itself; undefined while it runs until stopped. */
  seconds: number | undefined;
  exitCode: number;
  /** False when the sandbox could not tell what the program does and runs it as a server. */
  understood: boolean;
};

type Outcome =
  | { kind: 'done'; code: number; output: string[]; seconds: number }
  | { kind: 'exit'; code: number }
  | { kind: 'forever'; understood: boolean };

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
const LOOPS = new Set(['while', 'until', 'for', 'if', 'case']);
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function interpret(command: readonly string[] = [], args: readonly string[] = []): Script {
  const argv = [...command, ...args];
  if (argv.length === 0) return { output: [], seconds: undefined, exitCode: 0, understood: false };
  const program = basename(argv[0] ?? '');
  const script = SHELLS.has(program) ? shellScript(argv.slice(1)) : undefined;
  if (script !== undefined) return runScript(script);
  return runScript([{ words: argv, joiner: ';' }]);
}

type Command = { words: string[]; joiner: ';' | '&&' | '||' };

/** The commands of `sh -c '…'` (also `-ec`, `-xc`), or undefined for `sh script.sh`. */
function shellScript(rest: string[]): Command[] | undefined {
  const flag = rest.findIndex((word) => /^-[a-z]*c[a-z]*$/.test(word));
  if (flag === -1) return undefined;
  return parse(rest[flag + 1] ?? '');
}

/** Splits a script into words and the operators between commands, minding quotes. */
export function parse(script: string): Command[] {
  const commands: Command[] = [];
  let words: string[] = [];
  let word = '';
  let started = false;
  let joiner: Command['joiner'] = ';';
  const endWord = () => {
    if (started) words.push(word);
    word = '';
    started = false;
  };
  const endCommand = (next: Command['joiner']) => {
    endWord();
    if (words.length > 0) commands.push({ words, joiner });
    words = [];
    joiner = next;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    const pair = script.slice(i, i + 2);
    if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      const end = close === -1 ? script.length : close;
      word += script.slice(i + 1, end);
      started = true;
      i = end;
    } else if (c === '\\' && i + 1 < script.length) {
      word += script[++i];
      started = true;
    } else if (pair === '&&' || pair === '||') {
      endCommand(pair);
      i++;
    } else if (c === ';' || c === '\n') endCommand(';');
    else if (c === ' ' || c === '\t') endWord();
    else {
      word += c;
      started = true;
    }
  }
  endCommand(';');
  return commands;
}

function runScript(commands: Command[]): Script {
  const output: string[] = [];
  let seconds = 0;
  let code = 0;
  for (const { words, joiner } of commands) {
    if (joiner === '&&' && code !== 0) continue;
    if (joiner === '||' && code === 0) continue;
    const outcome = runCommand(
      words.filter((w) => !/^\d?>/.test(w)),
      code,
    );
    if (outcome.kind === 'forever')
      return { output, seconds: undefined, exitCode: 0, understood: outcome.understood };
    if (outcome.kind === 'exit')
      return { output, seconds, exitCode: outcome.code, understood: true };
    output.push(...outcome.output);
    seconds += outcome.seconds;
    code = outcome.code;
  }
  return { output, seconds, exitCode: code, understood: true };
}

function runCommand(words: string[], last: number): Outcome {
  const [first = '', ...rest] = words;
  const name = basename(first);
  const done = (code: number, output: string[] = [], seconds = 0): Outcome => ({
    kind: 'done',
    code,
    output,
    seconds,
  });
  if (LOOPS.has(name)) return { kind: 'forever', understood: false };
  switch (name) {
    case 'true':
    case ':':
      return done(0);
    case 'false':
      return done(1);
    case 'exit': {
      const code = rest[0] === undefined ? last : Number(rest[0]);
      return { kind: 'exit', code: Number.isInteger(code) ? ((code % 256) + 256) % 256 : 2 };
    }
    case 'echo': {
      const text = rest[0] === '-n' || rest[0] === '-e' ? rest.slice(1) : rest;
      return done(0, [text.join(' ')]);
    }
    case 'sleep': {
      const total = rest.reduce<number | undefined>((sum, arg) => {
        const s = sleepSeconds(arg);
        return sum === undefined || s === undefined ? undefined : sum + s;
      }, 0);
      if (total === undefined) return { kind: 'forever', understood: true };
      return done(0, [], total);
    }
    default:
      return { kind: 'forever', understood: false };
  }
}

/** `30`, `1.5`, `2m`, `1h`: seconds; `infinity` (or something unreadable): undefined. */
function sleepSeconds(arg: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (match === null) return undefined;
  return Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
