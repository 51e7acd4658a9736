import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { type Autonomy, DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { listFiles } from './list-files.ts';
import {
  frontMatterLine,
  type MarkdownWorkflow,
  markdownFiles,
  readMarkdownWorkflow,
  shownPath,
} from './markdown.ts';
import { readYamlWorkflow } from './yaml-load.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

/**
 * Every workflow file of a folder, Markdown and YAML, each checked on its own: a bad file is
 * left out with its problems and the others load. Names are unique across both kinds; where two
 * files share one, the first (Markdown before YAML, then in path order) keeps it.
 */
export type WorkflowFiles = {
  markdown: Map<string, MarkdownWorkflow>;
  yaml: Map<string, YamlWorkflow>;
  /** Every problem, each line naming its file. */
  problems: string[];
  /** The same problems by file, for logs. */
  invalid: { file: string; problems: string[] }[];
};

export function loadWorkflowFiles(dir: string, policy: Autonomy = DEFAULT_AUTONOMY): WorkflowFiles {
  return checkWorkflowFiles([...markdownFiles(dir), ...yamlFiles(dir)], policy);
}

/** The given files, in order, as `coxswain workflow check` and the folder loader read them. */
export function checkWorkflowFiles(
  files: readonly string[],
  policy: Autonomy = DEFAULT_AUTONOMY,
): WorkflowFiles {
  const loaded: WorkflowFiles = { markdown: new Map(), yaml: new Map(), problems: [], invalid: [] };
  const taken = new Map<string, string>();
  // The same file named twice (`a.yaml`, `./a.yaml`) is read once.
  const once = new Map<string, string>();
  for (const file of files) {
    const key = resolve(file);
    if (!once.has(key)) once.set(key, file);
  }
  for (const file of once.values()) {
    const read = readWorkflowFile(file, policy, taken);
    if (!read.ok) {
      loaded.problems.push(...read.problems);
      loaded.invalid.push({ file: shownPath(file), problems: read.problems });
      continue;
    }
    taken.set(read.workflow.name, read.workflow.file);
    if (read.kind === 'yaml') loaded.yaml.set(read.workflow.name, read.workflow);
    else loaded.markdown.set(read.workflow.name, read.workflow);
  }
  return loaded;
}

type ReadFile =
  | { ok: true; kind: 'yaml'; workflow: YamlWorkflow }
  | { ok: true; kind: 'markdown'; workflow: MarkdownWorkflow }
  | { ok: false; problems: string[] };

/** Workflow files are written by people: a quarter of a megabyte is far more than one needs. */
const MAX_FILE_BYTES = 256 * 1024;

function readWorkflowFile(
  file: string,
  policy: Autonomy,
  taken: ReadonlyMap<string, string>,
): ReadFile {
  const where = shownPath(file);
  let text: string;
  try {
    const stat = statSync(file);
    // A device or a pipe would never end; a file this large is not a workflow.
    if (!stat.isFile()) return { ok: false, problems: [`${where}: is not a regular file`] };
    if (stat.size > MAX_FILE_BYTES)
      return { ok: false, problems: [`${where}: is larger than ${MAX_FILE_BYTES / 1024} KiB`] };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`${where}: cannot be read (${(error as Error).message})`] };
  }
  try {
    return readWorkflowText(file, where, text, policy, taken);
  } catch (error) {
    // Whatever a file holds, it is that file's problem: the others still load.
    return {
      ok: false,
      problems: [`${where}: cannot be read as a workflow (${(error as Error).message})`],
    };
  }
}

function readWorkflowText(
  file: string,
  where: string,
  text: string,
  policy: Autonomy,
  taken: ReadonlyMap<string, string>,
): ReadFile {
  const kind = extname(file).toLowerCase();
  if (kind === '.yaml' || kind === '.yml') {
    const read = readYamlWorkflow(text, where, policy, taken);
    return read.ok ? { ok: true, kind: 'yaml', workflow: read.workflow } : read;
  }
  if (kind !== '.md')
    return { ok: false, problems: [`${where}: is not a .yaml, .yml or .md file`] };
  const read = readMarkdownWorkflow(file, true);
  if (!read.ok) return read;
  const other = taken.get(read.workflow.name);
  if (other !== undefined)
    return {
      ok: false,
      problems: [
        `${where}:${frontMatterLine(text, ['name'])}: name: a workflow named ${read.workflow.name} is already in ${other}`,
      ],
    };
  return { ok: true, kind: 'markdown', workflow: read.workflow };
}

function yamlFiles(dir: string): string[] {
  return listFiles(dir, (name) => /\.ya?ml$/i.test(name));
}
