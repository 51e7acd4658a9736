/**
 * Why a program stopped, read from its last log lines: the error a person would look for, with
 * what it names (an address, a host, a variable, a path, a code location). Each pattern reads one
 * line, or a stack trace from its first line on. The last line that names a specific cause wins
 * (a program logs what stopped it last); a panic or uncaught exception is the cause only when no
 * line names a more specific one.
 */
export type LogCauseKind =
  | 'connection-refused'
  | 'unreachable'
  | 'timeout'
  | 'dns'
  | 'auth'
  | 'missing-env'
  | 'missing-file'
  | 'permission-denied'
  | 'port-in-use'
  | 'wrong-architecture'
  | 'tls'
  | 'disk-full'
  | 'bad-config'
  | 'panic'
  | 'exception';

export type LogCause = {
  kind: LogCauseKind;
  /** The cause as the end of a sentence: "it cannot connect to db:5432 (connection refused)". */
  cause: string;
  /** The log lines it rests on, oldest first: the error and, for a stack, where it was raised. */
  lines: string[];
  /** The line that says it, as a cause quotes it (bounded), when the cause does not already. */
  quote?: string;
};

/** A rule on one line; the lines after and before it (nearest first) may complete what it names. */
type LineRule = {
  kind: LogCauseKind;
  test: RegExp;
  /** Says only that something is wrong: a line with a specific cause anywhere wins over it. */
  weak?: true;
  describe: (line: string, after: readonly string[], before: readonly string[]) => string;
};

const ADDRESS = String.raw`(\[[0-9a-fA-F:]+\]|\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*)?:(\d{1,5})`;

const ENV = '[Ee]nv(?:ironment)?(?: var(?:iable)?s?)?';
const UNSET =
  '(?:not set|required|missing|undefined|not defined|empty|must be (?:set|provided))\\b';

const TLS_FAILURE =
  /x509: certificate signed by unknown authority|x509: certificate has expired or is not yet valid|x509: certificate is valid for|certificate verify failed|CERTIFICATE_VERIFY_FAILED|PKIX path building failed|unable to get local issuer certificate|self[- ]signed certificate|unable to verify the first certificate|tls: handshake failure|tls: failed to verify certificate/i;

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
    kind: 'disk-full',
    test: /No space left on device|ENOSPC|disk quota exceeded|os error 28\b/i,
    describe: (line, after, before) => {
      const path = [line, ...before, ...after].map(pathIn).find((p) => p !== undefined);
      return `the filesystem it writes to${path === undefined ? '' : ` (${path})`} is full (no space left on device): free or grow the volume, or the node's disk for an emptyDir`;
    },
  },
  {
    kind: 'tls',
    test: TLS_FAILURE,
    describe: (line, after, before) =>
      `its TLS connection to ${nearestAddress(line, after, before)} fails: ${tlsFailure(line) ?? 'the certificate is refused'}; give it the CA that signed the server's certificate, or fix the certificate`,
  },
  {
    kind: 'port-in-use',
    test: /EADDRINUSE|address already in use/i,
    describe: (line, after) => {
      const port =
        /(?:EADDRINUSE[^\n]*?|listen tcp[^\n]*?|bind[^\n]*?)[\s:](\d{2,5})\b/i.exec(line)?.[1] ??
        after.map((l) => /^\s*port:?\s*(\d{2,5})\b/.exec(l)?.[1]).find(Boolean);
      return `port ${port ?? '(not named in the log)'} is already in use in the pod (another container or process listens on it)`;
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
      return `the server it signs in to rejects its credentials${user === undefined ? '' : ` (user ${user})`}; the secret it signs in with is wrong, expired or missing`;
    },
  },
  {
    kind: 'connection-refused',
    test: /connection refused|ECONNREFUSED/i,
    describe: (line, after, before) =>
      `it cannot connect to ${nearestAddress(line, after, before)}: connection refused, nothing listens there or the server is down`,
  },
  {
    kind: 'unreachable',
    test: /could not (?:establish|open) (?:a |any )?(?:TCP )?connection|(?:unable|failed) to connect|can(?:not|'t) connect|no route to host|network is unreachable|host is unreachable|connection reset by peer|ECONNRESET|EHOSTUNREACH|ENETUNREACH/i,
    describe: (line, after, before) =>
      `it cannot reach ${nearestAddress(line, after, before)}: the server is down, not ready, or the network drops the traffic`,
  },
  {
    kind: 'timeout',
    test: /i\/o timeout|ETIMEDOUT|connection timed out|connect timed out|timeout expired|context deadline exceeded|timed out waiting for|ESOCKETTIMEDOUT/i,
    describe: (line, after, before) =>
      `its connection to ${nearestAddress(line, after, before)} times out: the server does not answer, or a network policy or firewall drops the traffic`,
  },
  {
    kind: 'bad-config',
    weak: true,
    test: /configuration (?:file )?(?:contains errors|is invalid)|invalid configuration|(?:failed|unable) to (?:load|parse|read) (?:the )?config|config(?:uration)? (?:error|validation failed)|unknown (?:directive|configuration option)|emerg\] .* in \/etc\//i,
    describe: (line, _after, before) => {
      const detail = [line, ...before].find((l) =>
        /doesn't exist|does not exist|unknown|invalid|unexpected|not allowed|no such/i.test(l),
      );
      return `its configuration is invalid${detail === undefined || detail === line ? '' : ` (${quoted(detail)})`}: fix the config file or ConfigMap it reads`;
    },
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

/** What a TLS failure says of the certificate, in a few words, when the text shows one. */
export function tlsFailure(text: string): string | undefined {
  const found = TLS_FAILURE.exec(text);
  if (found === null) return undefined;
  if (
    /unknown authority|unable to get local issuer|pkix|self[- ]signed|verify the first/i.test(text)
  )
    return 'x509: certificate signed by an authority it does not trust';
  if (/certificate has expired/i.test(text))
    return 'x509: the certificate has expired or is not yet valid';
  if (/certificate is valid for/i.test(text))
    return 'x509: the certificate is not valid for the name it dials';
  return found[0];
}

/** The cause the lines show, or undefined when none of them shows one. */
export function classifyLog(lines: readonly string[]): LogCause | undefined {
  const read = lines.map((line) => (typeof line === 'string' ? line.slice(0, MAX_READ) : ''));
  // The last line with a specific cause is the one the program stopped on; a panic or an
  // exception after it only carries it out ("panic: invalid configuration").
  return lineCause(read, false) ?? lineCause(read, true) ?? stackCause(read);
}

function lineCause(read: readonly string[], weak: boolean): LogCause | undefined {
  const rules = LINE_RULES.filter((r) => (r.weak === true) === weak);
  for (let i = read.length - 1; i >= 0; i--) {
    const line = read[i] ?? '';
    const rule = rules.find((r) => r.test.test(line));
    if (rule === undefined) continue;
    const after = read.slice(i + 1, i + 6);
    const before = read.slice(Math.max(0, i - 5), i).reverse();
    return {
      kind: rule.kind,
      cause: rule.describe(line, after, before),
      lines: [line],
      quote: quoted(line),
    };
  }
  return undefined;
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
  const any = new RegExp(`(?<![\\w.:/-])${ADDRESS}(?![\\w]|:\\w)`).exec(line);
  if (any === null || any[1] === undefined) return undefined;
  return `${any[1]}:${any[2]}`;
}

/** The address a line names, else the nearest line around it that names one. */
function nearestAddress(line: string, after: readonly string[], before: readonly string[]): string {
  const near = [line, ...after, ...before].map(addressIn).find((a) => a !== undefined);
  return near ?? 'a server it needs (the log does not name the address)';
}

/** A log line as quoted in a cause: trimmed and bounded. */
function quoted(line: string): string {
  const text = line.trim().replace(/"/g, "'");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function hostOfDnsFailure(line: string): string {
  const host =
    /Failed to resolve '([^']+)'/.exec(line)?.[1] ??
    /host='([^']+)'/.exec(line)?.[1] ??
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
