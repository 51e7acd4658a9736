/**
 * Shortening for small screens: a chat message is read on a phone first, so long evidence is cut
 * to its first lines with a note of how much is left, instead of a wall of text.
 */
export function trimLines(text: string, maxLines: number, maxChars: number): string {
  const lines = text.split('\n');
  let kept = lines.slice(0, maxLines);
  let out = kept.join('\n');
  while (out.length > maxChars && kept.length > 1) {
    kept = kept.slice(0, -1);
    out = kept.join('\n');
  }
  if (out.length > maxChars) out = `${out.slice(0, Math.max(0, maxChars - 1))}…`;
  const left = lines.length - kept.length;
  return left > 0 ? `${out}\n… ${left} more line${left === 1 ? '' : 's'}` : out;
}

export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Lines of evidence shown per code block in chat; the web console shows them all. */
export const CHAT_CODE_LINES = 12;
