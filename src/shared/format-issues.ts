import type { z } from 'zod';

/** `routes[0].channels[1]` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** One line per problem, naming where and why. Values are never echoed: they may be secrets. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const where = formatPath(issue.path);
    const location = [prefix, where].filter((part) => part !== '').join(': ');
    return `${location || '(root)'}: ${issue.message}`;
  });
}
