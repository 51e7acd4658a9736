import { parse } from 'yaml';

/**
 * Splits a Markdown file with YAML front matter (`prompts/`, `workflows/`) into the parsed front
 * matter and the text after it, or says what is wrong with it.
 */
export function splitFrontMatter(
  text: string,
  required: boolean,
): { ok: true; front: unknown; body: string } | { ok: false; error: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (match === null) {
    return required
      ? { ok: false, error: 'must start with YAML front matter between --- lines' }
      : { ok: true, front: {}, body: text };
  }
  try {
    return { ok: true, front: parse(match[1] ?? '') ?? {}, body: match[2] ?? '' };
  } catch {
    return { ok: false, error: 'the front matter is not valid YAML' };
  }
}
