/**
 * Why a program stopped, read from its last log lines: the error a person would look for, with
 * what it names (an address, a host, a variable, a path, a code location). Each pattern reads one
 * line, or a stack trace from its first line on. The last line that names a specific cause wins
 * (a program logs what stopped it last); a panic or uncaught exception is the cause only when no
 * line names a more specific one.
 */
export type LogCauseKind =
  | 'connection-refused'
  | 'timeout'
  | 'dns'
  | 'auth'
  | 'missing-env'
  | 'missing-file'
  | 'permission-denied'
  | 'port-in-use'
  | 'wrong-architecture'
  | 'panic'
  | 'exception';

export type LogCause = {
  kind: LogCauseKind;
  /** The cause as the end of a sentence: "it cannot connect to db:5432 (connection refused)". */
  cause: string;
  /** The log lines it rests on, oldest first: the error and, for a stack, where it was raised. */
  lines: string[];
};

type LineRule = { kind: LogCauseKind; test: RegExp; describe: (line: string) => string };

const ADDRESS = String.raw`(\[[0-9a-fA-F:]+\]|\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*)?:(\d{1,5})`;

const ENV = '[Ee]nv(?:ironment)?(?: var(?:iable)?s?)?';
const UNSET =
  '(?:not set|required|missing|undefined|not defined|empty|must be (?:set|provided))\\b';

/** Lines longer than this are read only up to it: a cause is said near a line's start. */
const MAX_READ = 2000;

/** Specific causes, most specific first: a line that shows several is the first one's. */
const LINE_RULES: LineRule[] = [
  {
    kind: 'wrong-architecture',
    test: /exec format error/i,
    describe: () =>
      'its binary is built for another CPU architecture than the node (exec format error)',
  },
  {
    kind: 'port-in-use',
    test: /EADDRINUSE|address already in use/i,
    describe: (line) => {
      const port = /(?:EADDRINUSE[^\n]*?|listen tcp[^\n]*?|bind[^\n]*?)[\s:](\d{2,5})\b/i.exec(
        line,
      );
      return `port ${port?.[1] ?? '(not named in the log)'} is already in use in the pod (another container or process listens on it)`;
    },
  },
  {
    kind: 'dns',
    test: /no such host|(?<![a-z])(?:ENOTFOUND|EAI_AGAIN)|Name or service not known|Temporary failure in name resolution|UnknownHostException|could not translate host name|nodename nor servname/i,
    describe: (line) =>
      `the host name ${hostOfDnsFailure(line)} does not resolve (DNS lookup fails)`,
  },
  {
    kind: 'auth',
    test: /password authentication failed|Access denied for user|authentication failed|invalid credentials|invalid (?:username|user name) or password|NOAUTH|WRONGPASS|Login failed for user|\b401 Unauthorized|\b403 Forbidden|status(?: code)?[:= ]\s*40[13]\b|\bunauthori[sz]ed\b/i,
    describe: (line) => {
      const user = /for user ["']?([^"'\s@]+)/i.exec(line)?.[1];
      return `it is refused for its credentials${user === undefined ? '' : ` (user ${user})`}: the password, token or key it uses is wrong or missing`;
    },
  },
  {
    kind: 'connection-refused',
    test: /connection refused|ECONNREFUSED/i,
    describe: (line) =>
      `it cannot connect to ${addressIn(line) ?? 'a server it needs (the log does not name the address)'}: connection refused, nothing listens there or the server is down`,
  },
  {
    kind: 'timeout',
    test: /i\/o timeout|ETIMEDOUT|connection timed out|connect timed out|timeout expired|context deadline exceeded|timed out waiting for|ESOCKETTIMEDOUT/i,
    describe: (line) =>
      `its connection to ${addressIn(line) ?? 'a server it needs (the log does not name the address)'} times out: the server does not answer, or a network policy or firewall drops the traffic`,
  },
  {
    kind: 'missing-env',
    test: new RegExp(
      [
        "KeyError: '",
        `\\b${ENV}\\b[^\\n]*?\\b${UNSET}`,
        `\\b(?:[Mm]issing|[Rr]equired|[Uu]ndefined)\\b[^\\n]*?\\b${ENV}`,
        `\\b[A-Z][A-Z0-9_]{2,}\\b (?:is )?${UNSET}`,
      ].join('|'),
    ),
    describe: (line) => {
      const name = missingVariable(line);
      if (name === undefined) return 'an environment variable it needs is not set';
      return line.includes('KeyError')
        ? `the key ${name} it looks up is missing (KeyError): an environment variable when it reads os.environ`
        : `the environment variable ${name} it needs is not set`;
    },
  },
  {
    kind: 'permission-denied',
    test: /permission denied|EACCES|EPERM|operation not permitted/i,
    describe: (line) =>
      `it is denied access to ${pathIn(line) ?? addressIn(line) ?? 'a file or resource (the log does not name it)'} (permission denied): check the user it runs as, fsGroup and the volume's permissions`,
  },
  {
    kind: 'missing-file',
    test: /no such file or directory|ENOENT|FileNotFoundException|FileNotFoundError/i,
    describe: (line) => {
      const entrypoint = /exec (\S+): no such file or directory/.exec(line)?.[1];
      if (entrypoint !== undefined)
        return `its command ${entrypoint} cannot be run: the file, or what it needs to run (the interpreter of its #! line, the C library a binary was linked against), is missing from the image`;
      return `the file ${pathIn(line) ?? '(not named in the log)'} it needs does not exist: a volume, ConfigMap key or build step is missing`;
    },
  },
];

/** The cause the lines show, or undefined when none of them shows one. */
export function classifyLog(lines: readonly string[]): LogCause | undefined {
  const read = lines.map((line) => (typeof line === 'string' ? line.slice(0, MAX_READ) : ''));
  // The last line with a specific cause is the one the program stopped on; a panic or an
  // exception after it only carries it out ("panic: invalid configuration").
  for (let i = read.length - 1; i >= 0; i--) {
    const line = read[i] ?? '';
    const rule = LINE_RULES.find((r) => r.test.test(line));
    if (rule !== undefined) return { kind: rule.kind, cause: rule.describe(line), lines: [line] };
  }
  return stackCause(read);
}

/** A panic or an uncaught exception: its first line and where it was raised. */
function stackCause(lines: readonly string[]): LogCause | undefined {
  const panic = findLastIndex(lines, (l) => /^(?:panic|fatal error): /.test(l));
  if (panic !== -1) {
    const where = lines.slice(panic + 1).find((l) => /\.go:\d+/.test(l));
    return stack('panic', 'it panics', lines[panic] ?? '', where);
  }
  const traceback = findLastIndex(lines, (l) => l.startsWith('Traceback (most recent call last)'));
  if (traceback !== -1) return pythonCause(lines.slice(traceback));
  const java = findLastIndex(lines, (l) => /^Exception in thread |^Caused by: /.test(l));
  if (java !== -1) {
    const where = lines.slice(java + 1).find((l) => /^\s+at /.test(l));
    return stack('exception', 'it throws an uncaught exception', lines[java] ?? '', where);
  }
  const thrown = findLastIndex(lines, (l) =>
    /^(?:Uncaught )?(?:[A-Z]\w*)?(?:Error|Exception)(?: \[\w+\])?: /.test(l),
  );
  if (thrown === -1) return undefined;
  const where = lines.slice(thrown + 1).find((l) => /^\s+at /.test(l));
  return stack('exception', 'it throws an uncaught exception', lines[thrown] ?? '', where);
}

function pythonCause(trace: readonly string[]): LogCause | undefined {
  const last = findLastIndex(trace, (l, i) => i > 0 && /^[A-Za-z_][\w.]*(?::|$)/.test(l));
  if (last === -1) return undefined;
  const frames = trace.slice(0, last).filter((l) => /^\s*File ".+", line \d+/.test(l));
  return stack(
    'exception',
    'it raises an uncaught exception',
    trace[last] ?? '',
    frames[frames.length - 1],
  );
}

function stack(
  kind: 'panic' | 'exception',
  what: string,
  first: string,
  where: string | undefined,
): LogCause {
  const at = where?.trim();
  const place = at === undefined ? '' : at.startsWith('at ') ? ` ${at}` : ` at ${at}`;
  return {
    kind,
    cause: `${what}: ${first.trim()}${place}`,
    lines: where === undefined ? [first] : [first, where],
  };
}

/** `host:port` named in a line, the address a connection was made to when several are. */
export function addressIn(line: string): string | undefined {
  const quoted = /(?:at|host) "([^"]+)"[^\n]*?port (\d{1,5})/i.exec(line);
  if (quoted !== null) return `${quoted[1]}:${quoted[2]}`;
  const dialled = new RegExp(
    `(?:dial (?:tcp|udp)\\d? |ECONN\\w+ |ETIMEDOUT |connect to |connecting to |->)${ADDRESS}`,
  ).exec(line);
  if (dialled !== null) return `${dialled[1] ?? ''}:${dialled[2]}`;
  const url = new RegExp(`//(?:[^@/\\s]*@)?${ADDRESS}`).exec(line);
  if (url !== null) return `${url[1] ?? ''}:${url[2]}`;
  const any = new RegExp(`(?<![\\w.:/-])${ADDRESS}(?![\\w:])`).exec(line);
  if (any === null || any[1] === undefined) return undefined;
  return `${any[1]}:${any[2]}`;
}

function hostOfDnsFailure(line: string): string {
  const host =
    /lookup ([^\s:]+)/.exec(line)?.[1] ??
    /(?:ENOTFOUND|EAI_AGAIN) ([^\s:,]+)/.exec(line)?.[1] ??
    /UnknownHostException: ([^\s:,]+)/.exec(line)?.[1] ??
    /host name "([^"]+)"/.exec(line)?.[1];
  return host ?? '(not named in the log)';
}

function missingVariable(line: string): string | undefined {
  const name =
    /KeyError: '([^']+)'/.exec(line)?.[1] ??
    /\b([A-Z][A-Z0-9_]{2,})\b (?:is )?(?:not set|required|missing|must be|undefined)/.exec(
      line,
    )?.[1] ??
    /env(?:ironment)? var(?:iable)?s?:? ["'`]?([A-Za-z_][A-Za-z0-9_]*)/i.exec(line)?.[1];
  return name === undefined || /^(?:is|not|must|was|has)$/i.test(name) ? undefined : name;
}

/** The first absolute path a line names, quoted or not. */
function pathIn(line: string): string | undefined {
  return (
    /['"](\/[^'"]*)['"]/.exec(line)?.[1] ??
    /(?:^|[\s(=])(\/[^\s:'"(),]+)/.exec(line)?.[1] ??
    undefined
  );
}

function findLastIndex<T>(items: readonly T[], test: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) {
    if (test(items[i] as T, i)) return i;
  }
  return -1;
}
