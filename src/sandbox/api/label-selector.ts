import { ApiError } from './store.ts';
import { labelValueRules, qualifiedNameRules } from './validate-fields.ts';

/**
 * A label selector read as the API server's parser reads it: a lexer of identifiers and the
 * symbols `= == != ! ( ) , < >`, then requirements separated by commas, each checked as
 * `NewRequirement` checks it. A selector that does not parse is a 400 with the parser's words.
 */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';
export type LabelRequirement = { key: string; operator: Operator; values: string[] };

type Token =
  | 'end'
  | 'identifier'
  | 'in'
  | 'notin'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | '<'
  | '!='
  | '('
  | 'error';
type Item = { token: Token; literal: string };

const SYMBOLS: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  '<': '<',
  '!=': '!=',
  '(': '(',
};
// A Map, not an object: `constructor` or `toString` is a label key like any other.
const KEYWORDS = new Map<string, Token>([
  ['in', 'in'],
  ['notin', 'notin'],
]);
const BINARY = 'in, notin, =, ==, !=, gt, lt';

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSymbol = (c: string) => '=!(),<>'.includes(c) && c !== '';

export function parseLabelSelector(selector: string): LabelRequirement[] {
  try {
    return new Parser(lex(selector)).parse();
  } catch (error) {
    if (error instanceof SelectorError) throw new ApiError(400, 'BadRequest', error.message);
    throw error;
  }
}

class SelectorError extends Error {}

/** The lexer: a NUL ends the string, as the Go lexer reads a zero byte as its end. */
function lex(selector: string): Item[] {
  const items: Item[] = [];
  let at = 0;
  const read = () => (at < selector.length ? (selector[at++] as string) : '');
  for (;;) {
    let ch = read();
    while (isSpace(ch)) ch = read();
    if (ch === '' || ch === '\0') {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    if (isSymbol(ch)) {
      let buffer = ch;
      const first = SYMBOLS[buffer];
      let last: Item | undefined =
        first === undefined ? undefined : { token: first, literal: buffer };
      while (at < selector.length && isSymbol(selector[at] as string)) {
        const next = buffer + (selector[at] as string);
        if (SYMBOLS[next] === undefined && last !== undefined) break;
        buffer = next;
        at++;
        const token = SYMBOLS[buffer];
        if (token !== undefined) last = { token, literal: buffer };
      }
      items.push(last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = ch;
    while (at < selector.length) {
      const c = selector[at] as string;
      if (isSpace(c) || isSymbol(c) || c === '\0') break;
      word += c;
      at++;
    }
    items.push({ token: KEYWORDS.get(word) ?? 'identifier', literal: word });
  }
}

class Parser {
  readonly #items: Item[];
  #position = 0;

  constructor(items: Item[]) {
    this.#items = items;
  }

  /** In a value's place, the keywords `in` and `notin` are plain identifiers. */
  #peek(values: boolean): Item {
    const item = this.#items[this.#position] ?? { token: 'end', literal: '' };
    return values && (item.token === 'in' || item.token === 'notin')
      ? { token: 'identifier', literal: item.literal }
      : item;
  }

  #take(values: boolean): Item {
    const item = this.#peek(values);
    this.#position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.#peek(true);
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!')
        throw new SelectorError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.#requirement());
      } catch (error) {
        if (error instanceof SelectorError)
          throw new SelectorError(`unable to parse requirement: ${error.message}`);
        throw error;
      }
      const after = this.#take(true);
      if (after.token === 'end') return requirements;
      if (after.token !== ',')
        throw new SelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.#peek(true);
      if (next.token !== 'identifier' && next.token !== '!')
        throw new SelectorError(`found '${next.literal}', expected: identifier after ','`);
    }
  }

  #requirement(): LabelRequirement {
    let operator: Operator | undefined;
    let item = this.#take(true);
    if (item.token === '!') {
      operator = '!';
      item = this.#take(true);
    }
    if (item.token !== 'identifier')
      throw new SelectorError(`found '${item.literal}', expected: identifier`);
    const key = item.literal;
    const keyRules = qualifiedNameRules(key);
    if (keyRules.length > 0)
      throw new SelectorError(`key: Invalid value: ${JSON.stringify(key)}: ${keyRules.join('; ')}`);
    const ahead = this.#peek(true).token;
    if (operator === '!' || ahead === 'end' || ahead === ',')
      return checked(key, operator ?? 'exists', []);
    const op = this.#operator();
    const values = op === 'in' || op === 'notin' ? this.#set() : this.#exact();
    return checked(key, op, values);
  }

  #operator(): Operator {
    const { token, literal } = this.#take(false);
    switch (token) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorError(`found '${literal}', expected: ${BINARY}`);
    }
  }

  #exact(): string[] {
    const ahead = this.#peek(true);
    if (ahead.token === 'end' || ahead.token === ',') return [''];
    const item = this.#take(true);
    if (item.token === 'identifier') return [item.literal];
    throw new SelectorError(`found '${item.literal}', expected: identifier`);
  }

  #set(): string[] {
    const open = this.#take(true);
    if (open.token !== '(') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const ahead = this.#peek(true);
    if (ahead.token === ')') {
      this.#take(true);
      return [''];
    }
    if (ahead.token !== 'identifier' && ahead.token !== ',')
      throw new SelectorError(`found '${ahead.literal}', expected: ',', ')' or identifier`);
    const values = this.#identifiers();
    if (this.#take(true).token !== ')')
      throw new SelectorError(`found '${ahead.literal}', expected: ')'`);
    return values;
  }

  #identifiers(): string[] {
    const values = new Set<string>();
    for (;;) {
      const item = this.#take(true);
      if (item.token === 'identifier') {
        values.add(item.literal);
        const next = this.#peek(true);
        if (next.token === ',') continue;
        if (next.token === ')') return [...values].sort();
        throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (item.token !== ',')
        throw new SelectorError(`found '${item.literal}', expected: ',', or identifier`);
      if (values.size === 0) values.add('');
      const next = this.#peek(true);
      if (next.token === ')') {
        values.add('');
        return [...values].sort();
      }
      if (next.token === ',') {
        this.#take(true);
        values.add('');
      }
    }
  }
}

/** `NewRequirement`'s checks of the values an operator takes. */
function checked(key: string, operator: Operator, values: string[]): LabelRequirement {
  const problems: string[] = [];
  const list = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  if ((operator === 'in' || operator === 'notin') && values.length === 0)
    problems.push(
      `values: Invalid value: ${list}: for 'in', 'notin' operators, values set can't be empty`,
    );
  if ((operator === 'gt' || operator === 'lt') && values.length === 1) {
    if (!/^[+-]?\d+$/.test(values[0] as string))
      problems.push(
        `values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
  }
  values.forEach((value, i) => {
    const rules = labelValueRules(value);
    if (rules.length > 0)
      problems.push(
        `values[${i}][${key}]: Invalid value: ${JSON.stringify(value)}: ${rules.join('; ')}`,
      );
  });
  if (problems.length === 1) throw new SelectorError(problems[0]);
  if (problems.length > 1) throw new SelectorError(`[${problems.join(', ')}]`);
  return { key, operator, values };
}

/** Whether a set of labels meets a requirement. */
export function meets(labels: Record<string, string>, r: LabelRequirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value as string)) return false;
      const mine = BigInt(value as string);
      const theirs = BigInt(r.values[0] as string);
      return r.operator === 'gt' ? mine > theirs : mine < theirs;
    }
  }
}
