import { createHash } from 'node:crypto';

/**
 * Prompt caching as the Messages API does it, for the local Messages API's usage estimate (four
 * characters of a block's JSON make a token: an estimate, not Anthropic's tokenizer):
 *
 * - The prompt is rendered as tools, then system, then messages, one block after another (a tool
 *   definition, a system text block, a message's content block; a string is one text block).
 * - Only a block marked with `cache_control` (or, with a top-level `cache_control`, the last
 *   block) is a breakpoint; at most four of them, more is a 400.
 * - A prefix ending at a breakpoint is cached only when it holds at least the model's minimum
 *   cacheable length; under it nothing is written or read, and the request is billed as input.
 * - A request reads the longest prefix already written that ends at a breakpoint or at one of
 *   the 20 block boundaries before it; it writes from there to its last cacheable breakpoint.
 *   `cache_read_input_tokens` counts the one, `cache_creation_input_tokens` the other, and
 *   `input_tokens` what follows the last breakpoint.
 * - An entry lives five minutes after it was last written or read, per model (the prefix is
 *   identical only with the same model).
 */
export const MIN_CACHEABLE_TOKENS = 1024;
const LOOKBACK_BLOCKS = 20;
export const MAX_BREAKPOINTS = 4;
const TTL_MS = 5 * 60_000;

export type CacheUsage = { input: number; cacheRead: number; cacheWrite: number };

type Request = {
  model: string;
  system?: unknown;
  tools?: unknown[];
  messages: { role: string; content: unknown }[];
  cache_control?: unknown;
};

/** A rendered block: its prefix's key, and the tokens up to and including it. */
type Block = { through: number; key: string; breakpoint: boolean };

export class PromptCache {
  readonly #entries = new Map<string, number>();
  readonly #minTokens: (model: string) => number;
  readonly #now: () => number;

  constructor(options: { minTokens?: (model: string) => number; now?: () => number } = {}) {
    this.#minTokens = options.minTokens ?? (() => MIN_CACHEABLE_TOKENS);
    this.#now = options.now ?? Date.now;
  }

  /** The request's usage; the prefixes it writes are kept for the requests after it. */
  usage(request: Request): CacheUsage {
    const blocks = renderedBlocks(request);
    const min = this.#minTokens(request.model);
    const cacheable = blocks.flatMap((b, i) => (b.breakpoint && b.through >= min ? [i] : []));
    const now = this.#now();
    const hit = this.#longestHit(blocks, cacheable, now);
    if (hit !== undefined) this.#entries.set(hit.key, now + TTL_MS);
    for (const i of cacheable) this.#entries.set(blocks[i]?.key ?? '', now + TTL_MS);
    const total = blocks.at(-1)?.through ?? 0;
    const read = hit?.through ?? 0;
    const last = cacheable.at(-1);
    const write = last === undefined ? 0 : Math.max(0, (blocks[last]?.through ?? 0) - read);
    return { input: total - read - write, cacheRead: read, cacheWrite: write };
  }

  /** The longest live prefix ending at a breakpoint or within the 20 blocks before one. */
  #longestHit(blocks: Block[], breakpoints: number[], now: number): Block | undefined {
    let best: Block | undefined;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - LOOKBACK_BLOCKS); i--) {
        const block = blocks[i];
        if (block === undefined || (this.#entries.get(block.key) ?? 0) <= now) continue;
        if (block.through > (best?.through ?? 0)) best = block;
        break;
      }
    }
    return best;
  }
}

/** The blocks marked for the cache; the API refuses a request with more than four. */
export function breakpointCount(request: Request): number {
  return renderedBlocks(request).filter((b) => b.breakpoint).length;
}

/** Tools, system, then every message's blocks; each keyed by the model and all before it. */
function renderedBlocks(request: Request): Block[] {
  const raw: { role: string; block: unknown }[] = [
    ...(request.tools ?? []).map((block) => ({ role: 'tools', block })),
    ...asBlocks(request.system).map((block) => ({ role: 'system', block })),
    ...request.messages.flatMap((m) =>
      asBlocks(m.content).map((block) => ({ role: m.role, block })),
    ),
  ];
  const hash = createHash('sha256').update(request.model);
  let through = 0;
  const blocks = raw.map(({ role, block }) => {
    // `cache_control` marks a block and is no part of it: moving the mark keeps the prefix.
    const json = JSON.stringify(block, (key, v) => (key === 'cache_control' ? undefined : v));
    hash.update(`\n${role}\n${json}`);
    through += Math.ceil(json.length / 4);
    return {
      through,
      key: hash.copy().digest('hex'),
      breakpoint: (block as { cache_control?: unknown }).cache_control != null,
    };
  });
  const last = blocks.at(-1);
  if (request.cache_control != null && last !== undefined) last.breakpoint = true;
  return blocks;
}

function asBlocks(content: unknown): object[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return (Array.isArray(content) ? content : [content]) as object[];
}
