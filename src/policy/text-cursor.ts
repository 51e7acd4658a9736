/**
 * Finds the next newline, quote or other marker at or after a position, remembering the last
 * answer for each so that a scan that moves forward never searches the same stretch twice.
 */
export class Cursor {
  private readonly found = new Map<string, { from: number; at: number }>();
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** Index of the next `\n` at or after `from`, or the text's length. */
  newline(from: number): number {
    return this.next('\n', from);
  }

  /** Index of the next `char` (or string) at or after `from`, or the text's length. */
  next(char: string, from: number): number {
    const last = this.found.get(char);
    if (last !== undefined && from >= last.from && from <= last.at) return last.at;
    const index = this.text.indexOf(char, from);
    const at = index === -1 ? this.text.length : index;
    this.found.set(char, { from, at });
    return at;
  }
}
