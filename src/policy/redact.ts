/**
 * Redaction of credentials in text that leaves a tool: logs, events, annotations, messages.
 * Nothing read from a cluster reaches the model, a channel or job data before passing through
 * here. Rules aim at the shapes credentials take (key=value pairs, URLs with passwords, bearer
 * headers, known token formats, private keys) and leave ids people need readable: pod names,
 * image tags and digests, uids, commit hashes.
 */
export const REDACTED = '[redacted]';

type Rule = {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
};

const whole = () => REDACTED;

/** Words that, as the key of a key=value or key: value pair, make the value a secret. */
const SECRET_KEY =
  '(?:[A-Za-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret(?:[_-]?key(?:[_-]?base)?)?|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|session[_-]?key|signing[_-]?key|encryption[_-]?key))';

const RULES: Rule[] = [
  {
    name: 'private key block',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: whole,
  },
  {
    name: 'authorization header',
    pattern:
      /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s+)?[^\s"',;]+/gi,
    replace: (_m, prefix = '', scheme) => `${prefix}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  {
    name: 'bearer token',
    pattern: /\b(bearer|token)\s+([A-Za-z0-9._~+/-]{16,}=*)/gi,
    replace: (_m, scheme = '') => `${scheme} ${REDACTED}`,
  },
  {
    name: 'url credentials',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@"'<>]*):([^\s@"'<>/]+)@/gi,
    replace: (_m, scheme = '', user = '') => `${scheme}${user}:${REDACTED}@`,
  },
  {
    name: 'json secret field',
    pattern: new RegExp(`("${SECRET_KEY}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'),
    replace: (_m, prefix = '') => `${prefix}"${REDACTED}"`,
  },
  {
    name: 'quoted secret assignment',
    // Not when the quoted text is itself a key (`token: "token": …`).
    pattern: new RegExp(
      `\\b(${SECRET_KEY}["']?\\s*(?:=|:)\\s*)(["'])(?:(?!\\2)[^\\n])*\\2(?!\\s*:)`,
      'gi',
    ),
    replace: (_m, prefix = '', quote = '') => `${prefix}${quote}${REDACTED}${quote}`,
  },
  {
    name: 'secret assignment',
    pattern: new RegExp(`\\b(${SECRET_KEY}\\s*(?:=|:)\\s*)(?!["'\\[])[^\\s"',;&)]+`, 'gi'),
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    name: 'connection string key',
    pattern:
      /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature|sig|Password|Pwd)=)[^;&\s"']+/g,
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: whole,
  },
  {
    name: 'aws access key id',
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g,
    replace: whole,
  },
  {
    name: 'github token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g,
    replace: whole,
  },
  { name: 'gitlab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g, replace: whole },
  { name: 'slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, replace: whole },
  { name: 'slack app token', pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}\b/g, replace: whole },
  {
    name: 'slack webhook',
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
    replace: () => `https://hooks.slack.com/services/${REDACTED}`,
  },
  {
    name: 'discord webhook',
    pattern: /(https:\/\/(?:[a-z]+\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/)[A-Za-z0-9_-]+/g,
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  { name: 'anthropic key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, replace: whole },
  {
    name: 'openai-style key',
    pattern: /\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{20,}/g,
    replace: whole,
  },
  { name: 'stripe key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: whole },
  { name: 'google api key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: whole },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: whole },
  {
    name: 'sendgrid key',
    pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g,
    replace: whole,
  },
  { name: 'twilio key', pattern: /\bSK[0-9a-fA-F]{32}\b/g, replace: whole },
  { name: 'docker token', pattern: /\bdckr_pat_[A-Za-z0-9_-]{10,}/g, replace: whole },
  { name: 'vault token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, replace: whole },
  {
    name: 'aws secret access key',
    pattern:
      /\b(aws_secret_access_key|aws_session_token)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{20,}/gi,
    replace: (_m, key = '', sep = '') => `${key}${sep}${REDACTED}`,
  },
];

/** Replaces every credential-looking part of `text`. */
export function redactText(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (m: string) => string);
  return out;
}
