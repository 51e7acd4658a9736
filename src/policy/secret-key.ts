/**
 * Whether a map key names a secret (`DB_PASSWORD`, `api-token`, `sessionKey`), so that its value
 * is never shown whatever the value looks like. Words are matched inside the key, which errs on
 * the side of hiding (`tokenizer` hides too); a hidden value still shows that it changed.
 */
const SECRET_WORDS =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|private|credential|auth|cookie|session|dsn|connection[_-]?string|conn[_-]?str|signing|access[_-]?key|(^|[_.-])key$)/i;

export function isSecretLooking(key: string): boolean {
  return SECRET_WORDS.test(key);
}
