import { redactPairs } from './redact-pairs.ts';
import { REDACTED } from './redacted.ts';
import { isHarmlessValue, isSecretKey } from './secret-key.ts';

/**
 * Redaction of credentials in text that leaves a tool: logs, events, annotations, messages.
 * Nothing read from a cluster reaches the model, a channel or job data before passing through
 * here. Rules aim at the shapes credentials take (known token formats, private keys, URLs with
 * passwords, bearer headers, command lines, and any pair whose key names a secret: see
 * `redact-pairs.ts`) and leave ids people need readable: pod names, image tags and digests,
 * uids, commit hashes.
 *
 * Every rule runs in time proportional to its input, whatever the input: a rule starts only
 * where a run of its characters starts (a lookbehind, not `\b`, which is true inside runs of
 * `a.a.a`), quantifiers that can be retried are bounded, and a run of unbounded length only ever
 * ends a pattern, where it cannot be backtracked into. Text longer than `MAX_REDACTED_CHARS` is
 * cut first, with a note.
 */
export { REDACTED };

/** Text is cut to this many characters before any pattern runs: nobody reads more in chat. */
export const MAX_REDACTED_CHARS = 256 * 1024;

const SECRET_ARG = String.raw`([^\s'"-][^\s]*|'[^'\n]{0,1024}'|"[^"\n]{0,1024}")`;

/** Per command, the flag that carries a password, as a pattern over the rest of its line. */
const COMMAND_FLAGS: Record<string, RegExp> = {
  // mysql reads `-p` followed by a space as "ask me": only the attached form holds a password.
  mysql: new RegExp(`(\\s-p)${SECRET_ARG}`, 'g'),
  mysqldump: new RegExp(`(\\s-p)${SECRET_ARG}`, 'g'),
  mysqladmin: new RegExp(`(\\s-p)${SECRET_ARG}`, 'g'),
  mariadb: new RegExp(`(\\s-p)${SECRET_ARG}`, 'g'),
  sshpass: new RegExp(`(\\s-p[ \\t]{0,8})${SECRET_ARG}`, 'g'),
  login: new RegExp(`(\\s-p[ \\t]{0,8})${SECRET_ARG}`, 'g'),
  'redis-cli': new RegExp(`(\\s-a[ \\t]{0,8})${SECRET_ARG}`, 'g'),
  // `-u user:pw`, `-uuser:pw`, `--user user:pw`, `--user=user:pw` (not `--user-agent`).
  curl: /(\s(?:-u[ \t]{0,8}|--user(?:[ \t]{1,8}|=))['"]?[^\s:'"]{0,256}:)([^\s'"]+)/g,
};
const COMMANDS = Object.keys(COMMAND_FLAGS).join('|');

type Rule = {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
};

const whole = () => REDACTED;

const ESC = String.fromCharCode(27);
const ANSI_ESCAPE = new RegExp(`${ESC}\\[[0-9;?]{0,32}[A-Za-z]`, 'g');

/** Starts a pattern only where a run of token characters starts. */
const RUN_START = '(?<![A-Za-z0-9_-])';

const RULES: Rule[] = [
  {
    name: 'private key block',
    pattern:
      // Any case, four or five dashes, and SSH2's spaced `---- BEGIN SSH2 … PRIVATE KEY ----`.
      /-{4,5} ?BEGIN (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)? ?-{4,5}[\s\S]*?(?:-{4,5} ?END (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)? ?-{4,5}|$)/gi,
    replace: whole,
  },
  {
    name: 'base64 private key',
    // `-----BEGIN ` in base64 (a kubeconfig's `client-key-data`, a Secret's `tls.key`), with the
    // lines that follow when it is wrapped; decoded to tell a private key from a certificate.
    pattern:
      /LS0tLS1CRUdJTi[A-Za-z0-9+/]*={0,2}(?:\r?\n[ \t]{0,64}[A-Za-z0-9+/]{16,}={0,2}(?=\r?\n|$))*/g,
    replace: (match) => (isBase64PrivateKey(match) ? REDACTED : match),
  },
  {
    name: 'bearer token',
    pattern: /\b(bearer|token)[ \t]{1,8}([A-Za-z0-9._~+/-]{16,}=*)/gi,
    replace: (_m, scheme = '') => `${scheme} ${REDACTED}`,
  },
  {
    name: 'url credentials',
    // The password may hold `/` or `@`: it ends at the last `@` before the host's path.
    pattern:
      /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:/@"'<>]{0,256}):([^\s"'<>]{1,1024})/gi,
    replace: (match, scheme = '', user = '', rest = '') => {
      const at = passwordEnd(rest);
      return at === undefined ? match : `${scheme}${user}:${REDACTED}${rest.slice(at)}`;
    },
  },
  {
    name: 'host credentials',
    // `user:password@host` without a scheme (a DSN a driver logs as it dials).
    pattern:
      /(?<![\w./:@%+-])([A-Za-z][\w.-]{0,63}):([^\s:@/"'<>[\]]{3,256})@(?=[A-Za-z0-9][A-Za-z0-9.-]{0,252}(?:[:/\s,;)'"]|$))/g,
    replace: (_m, user = '') => `${user}:${REDACTED}@`,
  },
  {
    name: 'jwt',
    pattern: new RegExp(
      `${RUN_START}eyJ[A-Za-z0-9_-]{8,16384}\\.eyJ[A-Za-z0-9_-]{8,16384}\\.[A-Za-z0-9_-]{8,}`,
      'g',
    ),
    replace: whole,
  },
  {
    name: 'aws access key id',
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g,
    replace: whole,
  },
  {
    name: 'github token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
    replace: whole,
  },
  {
    name: 'gitlab token',
    pattern: new RegExp(`${RUN_START}glpat-[A-Za-z0-9_-]{20,}`, 'g'),
    replace: whole,
  },
  {
    name: 'slack token',
    pattern: new RegExp(`${RUN_START}xox[abposr]-[A-Za-z0-9-]{10,}`, 'g'),
    replace: whole,
  },
  {
    name: 'slack app token',
    pattern: new RegExp(`${RUN_START}xapp-\\d-[A-Za-z0-9-]{10,}`, 'g'),
    replace: whole,
  },
  {
    name: 'slack webhook',
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
    replace: () => `https://hooks.slack.com/services/${REDACTED}`,
  },
  {
    name: 'discord webhook',
    pattern:
      /(https:\/\/(?:[a-z]{1,16}\.)?discord(?:app)?\.com\/api\/webhooks\/\d{1,24}\/)[A-Za-z0-9_-]+/g,
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    name: 'anthropic key',
    pattern: new RegExp(`${RUN_START}sk-ant-[A-Za-z0-9_-]{20,}`, 'g'),
    replace: whole,
  },
  {
    name: 'openai-style key',
    pattern: new RegExp(`${RUN_START}sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{20,}`, 'g'),
    replace: whole,
  },
  { name: 'stripe key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: whole },
  {
    name: 'google api key',
    pattern: new RegExp(`${RUN_START}AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])`, 'g'),
    replace: whole,
  },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: whole },
  {
    name: 'sendgrid key',
    pattern: new RegExp(`${RUN_START}SG\\.[A-Za-z0-9_-]{16,1024}\\.[A-Za-z0-9_-]{16,}`, 'g'),
    replace: whole,
  },
  { name: 'twilio key', pattern: /\bSK[0-9a-fA-F]{32}\b/g, replace: whole },
  {
    name: 'docker token',
    pattern: new RegExp(`${RUN_START}dckr_pat_[A-Za-z0-9_-]{10,}`, 'g'),
    replace: whole,
  },
  {
    name: 'vault token',
    pattern: new RegExp(`${RUN_START}hv[sbr]\\.[A-Za-z0-9_-]{20,}`, 'g'),
    replace: whole,
  },
  {
    name: 'telegram bot token',
    pattern: /(api\.telegram\.org\/(?:file\/)?bot\d{1,16}:)[A-Za-z0-9_-]{20,}/g,
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    name: 'redis auth command',
    // `AUTH [user] password` typed at redis-cli's prompt or alone on a line.
    pattern:
      /(^[ \t]{0,64}|> ?)(AUTH[ \t]{1,8}(?:[^\s]{1,256}[ \t]{1,8})?)([^\s]{1,1024})[ \t]*$/gm,
    replace: (match, before = '', command = '', password = '') =>
      isHarmlessValue(password) || /^(?:OK|failed)$/i.test(password)
        ? match
        : `${before}${command}${REDACTED}`,
  },
  {
    name: 'xml key and value attributes',
    // .NET appSettings: `<add key="DbPassword" value="…"/>`.
    pattern:
      /(<[A-Za-z][\w.:-]{0,63}[ \t]{1,8}(?:key|name)=(["'])([^"'\n]{1,128})\2[ \t]{1,8}value=(["']))([^"'\n]{0,1024})(?=["'])/g,
    replace: (match, head = '', _q = '', key = '', _v = '', value = '') =>
      isSecretKey(key) && !isHarmlessValue(value, key) ? `${head}${REDACTED}` : match,
  },
  {
    name: 'quoted flag and value',
    // `["--db-password","…"]`: a list of arguments written out as JSON.
    pattern:
      /(["'])(--?[A-Za-z][\w.-]{0,126})\1([ \t]{0,8},[ \t]{0,8}(["']))([^"'\n]{1,1024})(?=["'])/g,
    replace: (match, quote = '', flag = '', between = '', _q = '', value = '') =>
      isSecretKey(flag) && !value.startsWith('-') && !isHarmlessValue(value)
        ? `${quote}${flag}${quote}${between}${REDACTED}`
        : match,
  },
  {
    name: 'xml secret element',
    pattern: /<([A-Za-z][\w.:-]{0,63})>([^<\n]{1,1024})<\/\1>/g,
    replace: (match, tag = '') => (isSecretKey(tag) ? `<${tag}>${REDACTED}</${tag}>` : match),
  },
  {
    name: 'sql password',
    pattern:
      /\b(IDENTIFIED[ \t]{1,8}BY(?:[ \t]{1,8}PASSWORD)?|PASSWORD)([ \t]{1,8})('(?:[^'\n]|''){0,1024}'|"[^"\n]{0,1024}")/gi,
    replace: (_m, clause = '', space = '', quoted = '') =>
      `${clause}${space}${quoted[0]}${REDACTED}${quoted[0]}`,
  },
  {
    name: 'command line password',
    // Each command's line, up to the next command on it: one pass whatever the line holds.
    pattern: new RegExp(`\\b(${COMMANDS})\\b([^\\n]*?)(?=\\b(?:${COMMANDS})\\b|\\n|$)`, 'g'),
    replace: (_m, command = '', rest = '') => command + redactCommandArgs(command, rest),
  },
];

/** Replaces every credential-looking part of `text`. */
export function redactText(text: string): string {
  const { kept, note } = capped(text);
  // Terminal colours mean nothing in chat, and one between a key and its value hides the pair.
  let out = kept.replace(ANSI_ESCAPE, '');
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (m: string) => string);
  return redactPairs(out) + note;
}

/** The first `MAX_REDACTED_CHARS` of `text`, cut at a space if one is near, and a note. */
function capped(text: string): { kept: string; note: string } {
  if (text.length <= MAX_REDACTED_CHARS) return { kept: text, note: '' };
  let cut = MAX_REDACTED_CHARS;
  // Not in the middle of a token, where half a secret would no longer look like one.
  while (cut > MAX_REDACTED_CHARS - 1024 && !/\s/.test(text[cut] ?? '')) cut--;
  if (cut === MAX_REDACTED_CHARS - 1024) cut = MAX_REDACTED_CHARS;
  const note = `\n… [cut: ${text.length - cut} more characters not shown]`;
  return { kept: text.slice(0, cut), note };
}

/** Where the password in `rest` (what follows `user:` in a URL) ends, at an `@`, if it does. */
function passwordEnd(rest: string): number | undefined {
  const first = rest.indexOf('@');
  // `host:8080/path/a@b`: a port and a path, no password.
  if (first < 1 || /^\d{1,5}\//.test(rest)) return undefined;
  const path = rest.slice(first).search(/[/?#]/);
  return rest.lastIndexOf('@', path === -1 ? rest.length : first + path);
}

function isBase64PrivateKey(base64: string): boolean {
  const head = Buffer.from(base64.slice(0, 96), 'base64').toString('latin1');
  return /^-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY/.test(head);
}

function redactCommandArgs(command: string, rest: string): string {
  const flags = COMMAND_FLAGS[command];
  if (flags === undefined) return rest;
  return rest.replace(flags, (match, flag: string, value: string) => {
    if (value.startsWith('[redacted')) return match;
    const quote = value[0] === "'" || value[0] === '"' ? value[0] : '';
    return `${flag}${quote}${REDACTED}${quote}`;
  });
}
