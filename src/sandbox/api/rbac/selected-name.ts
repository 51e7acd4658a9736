/**
 * A list or watch whose field selector requires `metadata.name=NAME` (`=` or `==`, alone or
 * with other terms) is for that name, so a rule limited by resourceNames allows it, as the
 * API server's request info reads it (`kubectl get pod web -w`). A selector that does not
 * parse, or a name that cannot be a path segment, names nothing.
 */
export function selectedName(selector: string | null): string | undefined {
  if (selector === null || selector === '') return undefined;
  let name: string | undefined;
  // Go sorts the terms before it reads them.
  for (const term of splitUnescaped(selector).sort()) {
    if (term === '') continue;
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (match === null) return undefined;
    const [, key = '', op = '', raw = ''] = match;
    const value = unescapeValue(raw);
    if (value === undefined) return undefined;
    if (name === undefined && key === 'metadata.name' && op !== '!=') name = value;
  }
  const validSegment = name !== '.' && name !== '..' && !/[/%]/.test(name ?? '');
  return validSegment ? name : undefined;
}

function splitUnescaped(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    if (selector[i] === '\\') i++;
    else if (selector[i] === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** A term's value with `\\`, `\,` and `\=` unescaped; anything else unescaped fails. */
function unescapeValue(raw: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === ',' || c === '=') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next !== '\\' && next !== ',' && next !== '=') return undefined;
    out += next;
  }
  return out;
}
