import { readFileSync } from 'node:fs';

/**
 * Text shaped to make regular expressions backtrack: long runs a pattern can start anywhere in,
 * openers that never close, prefixes of token formats repeated without the rest. Each shape is a
 * function of the size wanted, in characters, so a test and the bench can feed the same text.
 */
export const ADVERSARIAL_SHAPES: Record<string, (size: number) => string> = {
  'a.a.a…': (size) => repeatTo('a.', size),
  'run of =': (size) => repeatTo('=', size),
  'nested quotes': (size) => `password="${repeatTo(`'"\\"`, size - 10)}`,
  'password= repeated': (size) => repeatTo('password=', size),
  'key: after key:': (size) => repeatTo('token: ', size),
  'BEGIN PRIVATE KEY, no END': (size) =>
    `-----BEGIN PRIVATE KEY-----\n${repeatTo('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', size - 28)}`,
  'BEGIN header repeated': (size) => repeatTo('-----BEGIN A B C D ', size),
  'base64-ish run': (size) => base64Run(size),
  'eyJ repeated': (size) => repeatTo('eyJ-', size),
  'eyJ parts without signature': (size) => repeatTo('eyJhbGciOiJIUzI1NiJ9.eyJ', size),
  'https:// repeated with :': (size) => repeatTo('https://u:', size),
  'scheme run with :': (size) => `${repeatTo('a', size - 3)}:x@`,
  'unclosed quote after key, repeated': (size) => repeatTo('secret="x ', size),
  'flags without values': (size) => repeatTo('--password ', size),
  'mysql repeated': (size) => repeatTo('mysql -u root ', size),
  'yaml block openers': (size) => repeatTo('password: |\n', size),
  'deep indentation under a secret key': (size) => deepYaml(size),
  'long single line of pairs': (size) => repeatTo('level=info user=bob ', size),
  'describe keys without a next key': (size) =>
    `password:\n----\n${repeatTo('x:\n---\n', size - 16)}`,
  'env names without values': (size) =>
    repeatTo('- name: DB_PASSWORD\n  valueFrom:\n{"name":"API_TOKEN",', size),
  'URL passwords without @': (size) => repeatTo('https://u:p/a', size),
  'flags alone on their lines': (size) => repeatTo('  --password\n  --token\n', size),
  'base64 BEGIN repeated': (size) => repeatTo('LS0tLS1CRUdJTiB\n', size),
  'redis AUTH lines': (size) => repeatTo('> AUTH a b c\nAUTH ', size),
  'xml add without value': (size) => repeatTo('<add key="password" value="x', size),
  'unclosed quotes under YAML keys': (size) => repeatTo('password: "x\n  token: "y\n    ', size),
  'secret flow maps': (size) => repeatTo('secret: {value: {value: ', size),
  'changes after arrows': (size) => repeatTo('password: a → b → "c → ', size),
  'bracketed names before value': (size) => repeatTo('[password].value[token]', size),
  'quoted flags in a list': (size) => repeatTo('"--password", "', size),
};

/** Plausible log text from a cluster, a few credentials among many ordinary lines. */
export function realisticLog(size: number): string {
  const corpus = JSON.parse(
    readFileSync(new URL('../fixtures/redaction/corpus.json', import.meta.url), 'utf8'),
  ) as { text: string }[];
  const ordinary = [
    '2026-11-21T09:12:40.123Z INFO http request method=GET path=/api/v1/orders status=200 duration=12ms',
    '2026-11-21T09:12:40.456Z WARN cache miss key=user:4412 backend=redis-master.cache:6379',
    'I1121 09:12:41.001234       1 controller.go:118] "Reconciling" deployment="payments/payments-api"',
    '{"level":"info","ts":1763716361.5,"msg":"processed batch","size":128,"lag_ms":42}',
    'Normal  Pulled  kubelet  Container image "ghcr.io/acme/payments-api:v2.14.3" already present',
  ];
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line =
      i % 10 === 9
        ? (corpus[i % corpus.length]?.text ?? '')
        : (ordinary[i % ordinary.length] ?? '');
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n').slice(0, size);
}

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function base64Run(size: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  let seed = 7;
  while (out.length < size) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[seed % 64];
  }
  return out;
}

function deepYaml(size: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let depth = 0; length < size; depth = (depth + 1) % 400) {
    const line = `${' '.repeat(depth)}password:`;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n').slice(0, size);
}
