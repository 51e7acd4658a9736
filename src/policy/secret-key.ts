/**
 * Whether a key (of a map, a `key=value` pair, a header, a flag) names a secret. A key is split
 * into words (`DB_PASSWORD`, `apiKey`, `x-auth-token`, `vault.hashicorp.com/agent-inject-secret`)
 * and judged by them: some words always mean a secret, some only in a position (`key` after
 * another word: `api_key`, `tls.key`, but not a bare `key`, which in Kubernetes names a key of a
 * Secret or a taint), and a last word that says what the value is about rather than holding it
 * (`password_file`, `secretName`, `session_timeout`, `key_count`) makes the key ordinary.
 */

/** Words that make a key secret wherever they stand. */
const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'passcode',
  'pass',
  'pwd',
  'pw',
  'secret',
  'secrets',
  'token',
  'credential',
  'credentials',
  'creds',
  'cookie',
  'cookies',
  'session',
  'auth',
  'authorization',
  'dsn',
  'apikey',
  'privkey',
  'signature',
  'sig',
  'salt',
  'otp',
  'bearer',
  'jwt',
  'hmac',
  'pin',
  'dockerconfigjson',
  'dockercfg',
]);

/** Parts of a single word that make it secret: `PGPASSWORD`, `clientsecret`, `csrftoken`. */
const SECRET_INSIDE = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'credential',
  'apikey',
  'accesskey',
  'privatekey',
  'sessionid',
  'sessid',
  'sessionkey',
  'connectionstring',
  'connstr',
];

/** Words before `key` that make it a lookup key, not a cryptographic one. */
const ORDINARY_KEY_OWNERS = new Set([
  'topology',
  'label',
  'labels',
  'match',
  'public',
  'primary',
  'foreign',
  'partition',
  'sort',
  'cache',
  'routing',
  'hash',
  'shard',
  'sharding',
  'group',
  'grouping',
  'lookup',
  'map',
  'object',
  'row',
  'index',
  'idempotency',
  'dedup',
  'dedupe',
  'unique',
  'message',
  'node',
  'selector',
  'sequence',
  'order',
  'composite',
  'config',
  'setting',
  'field',
  'column',
  'metric',
  'feature',
  'flag',
  'attribute',
  'property',
  'translation',
  'i18n',
  'registry',
  'bucket',
  'merge',
]);

/** A last word saying what the value is about (where, how long, what kind), not the secret. */
const ABOUT_WORDS = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'reference',
  'path',
  'paths',
  'file',
  'files',
  'filename',
  'dir',
  'directory',
  'location',
  'type',
  'types',
  'kind',
  'namespace',
  'ns',
  'count',
  'size',
  'length',
  'len',
  'min',
  'max',
  'limit',
  'limits',
  'ttl',
  'timeout',
  'expiry',
  'expires',
  'expiration',
  'age',
  'lifetime',
  'seconds',
  'secs',
  'ms',
  'minutes',
  'hours',
  'days',
  'interval',
  'period',
  'duration',
  'enabled',
  'disabled',
  'enable',
  'disable',
  'required',
  'optional',
  'mode',
  'version',
  'algorithm',
  'alg',
  'affinity',
  'policy',
  'format',
  'encoding',
  'url',
  'uri',
  'urls',
  'endpoint',
  'host',
  'hostname',
  'port',
  'server',
  'service',
  'realm',
  'domain',
  'tenant',
  'issuer',
  'audience',
  'scope',
  'scopes',
  'provider',
  'method',
  'methods',
  'strategy',
  'store',
  'backend',
  'driver',
  'class',
  'engine',
  'plugin',
  'source',
  'field',
  'fields',
  'label',
  'env',
  'var',
  'variable',
  'prefix',
  'suffix',
  'stdin',
  'secure',
  'httponly',
  'samesite',
  'rotation',
  'selector',
  'template',
  'user',
  'username',
  'pattern',
  'regex',
  'status',
  'state',
  'error',
  'errors',
  'reason',
  'result',
  'valid',
  'used',
  'remaining',
  'present',
  'missing',
  'exists',
]);

/** The words of a key, lower case: `X-API-Key` → x, api, key; `secretKeyRef` → secret, key, ref. */
export function keyWords(key: string): string[] {
  return key
    .slice(0, 256)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

const verdicts = new Map<string, boolean>();

/** True when a value under `key` is a secret. Results are remembered: keys repeat a lot. */
export function isSecretKey(key: string): boolean {
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  // `KEY=…` in an environment is one; a lower-case `key` names a Secret's key or a taint's.
  const verdict = key === 'KEY' || judge(keyWords(key));
  if (verdicts.size >= 5_000) verdicts.clear();
  verdicts.set(key, verdict);
  return verdict;
}

function judge(words: string[]): boolean {
  const last = words.at(-1);
  if (last === undefined) return false;
  if (words.length > 1 && ABOUT_WORDS.has(last)) return false;
  return words.some((word, i) => secretWord(word, words[i - 1], words[i + 1]));
}

function secretWord(word: string, before: string | undefined, after: string | undefined): boolean {
  if (SECRET_WORDS.has(word)) return true;
  if (word.endsWith('token')) return true;
  if (SECRET_INSIDE.some((part) => word.includes(part))) return true;
  switch (word) {
    case 'key':
    case 'keys':
      // `client-key-data`: a kubeconfig's private key, base64-encoded.
      return (
        (after === undefined || after === 'data') &&
        before !== undefined &&
        !ORDINARY_KEY_OWNERS.has(before)
      );
    case 'connection':
    case 'conn':
      return (
        after === 'string' || after === 'strings' || (after === undefined && before !== undefined)
      );
    case 'private':
      return after === undefined;
    default:
      return false;
  }
}

/**
 * Values left alone even under a secret key: nothing to hide in a flag or a setting, a
 * reference to where the secret lives (a variable, or under `key` the name of a Kubernetes
 * Secret: see `namesASecret`), or a value already redacted (so redaction can run twice).
 */
export function isHarmlessValue(value: string, key?: string): boolean {
  const text = value.trim();
  if (text === '' || text.length > 200) return text === '';
  if (
    /^(?:true|false|yes|no|on|off|null|nil|none|~|\*+|enabled|disabled|required|optional)$/i.test(
      text,
    )
  )
    return true;
  if (/^\$(?:\{[A-Za-z_][\w.-]*\}|\([A-Za-z_]\w*\)|[A-Za-z_]\w*)$/.test(text)) return true;
  if (key !== undefined && namesASecret(key, text)) return true;
  return HIDDEN_CHANGE.test(text);
}

/** Words before `secret` that make it the secret itself (`client_secret`), not a Secret's name. */
const LITERAL_SECRET_OWNERS = new Set([
  'client',
  'consumer',
  'app',
  'application',
  'api',
  'jwt',
  'webhook',
  'shared',
  'signing',
  'session',
  'cookie',
  'encryption',
  'hmac',
  'master',
  'base',
  'oauth',
  'otp',
  'totp',
]);

/**
 * `existingSecret: db-creds`, `passwordSecret: pg-auth`, `secret: tls-cert`: a key ending in
 * `secret` (Helm values, operators' specs) whose value is the name of a Kubernetes Secret, which
 * people need to read. Only a name with a `-` or `.` in it and no part that looks random counts,
 * and not under keys that hold the secret itself.
 */
export function namesASecret(key: string, value: string): boolean {
  const words = keyWords(key);
  const last = words.at(-1);
  if (last !== 'secret' && last !== 'secrets') return false;
  const before = words.at(-2);
  if (before !== undefined && LITERAL_SECRET_OWNERS.has(before)) return false;
  if (!RESOURCE_NAME.test(value)) return false;
  return value.split(/[-.]/).every((part) => !looksRandom(part));
}

const RESOURCE_NAME = /^[a-z][a-z0-9]{0,62}(?:[-.][a-z0-9]{1,62}){1,8}$/;

/** `7f9c2b1d`, `x9k2m4q8`: a part mixing letters and digits, or long, is not a word of a name. */
function looksRandom(part: string): boolean {
  if (part.length > 16) return true;
  return part.length >= 6 && /\d/.test(part) && /[a-z]/.test(part);
}

/**
 * `(unset)`, `[redacted; changed]`, a flag, or a change between such: what a diff shows of a
 * field named like a secret (`automountServiceAccountToken: (unset) → true`).
 */
const HIDDEN = String.raw`(?:\(unset\)|\(none\)|<none>|true|false|null|\[redacted[^\]\n]{0,40}\])`;
const HIDDEN_CHANGE = new RegExp(
  String.raw`^${HIDDEN}(?:[ \t]{0,4}(?:→|->)[ \t]{0,4}${HIDDEN}){0,4}$`,
);
