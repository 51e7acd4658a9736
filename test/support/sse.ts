export type SseEvent = { event: string; id: string | undefined; data: string };

/**
 * A minimal server-sent events reader over fetch, as a browser's EventSource would read the
 * console stream. `next(predicate)` waits for the first event (seen or to come) that matches.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly #controller = new AbortController();
  readonly #waiters = new Set<() => void>();
  #done: Promise<void> | undefined;

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const body = await client.#open(url, headers);
    client.#done = client.#follow(url, headers, body);
    return client;
  }

  /** Reads the stream; when the server ends it, reconnects with Last-Event-ID as EventSource does. */
  async #follow(url: string, headers: Record<string, string>, first: ReadableStream<Uint8Array>) {
    let body = first;
    for (;;) {
      await this.#read(body).catch(() => undefined);
      if (this.#controller.signal.aborted) return;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (this.#controller.signal.aborted) return;
        const lastId = this.events.findLast((e) => e.id !== undefined)?.id;
        try {
          body = await this.#open(
            url,
            lastId === undefined ? headers : { ...headers, 'last-event-id': lastId },
          );
          break;
        } catch {
          // Not back yet; try again.
        }
      }
    }
  }

  async #open(url: string, headers: Record<string, string>): Promise<ReadableStream<Uint8Array>> {
    const response = await fetch(url, { headers, signal: this.#controller.signal });
    if (!response.ok || response.body === null)
      throw new Error(`stream answered ${response.status}`);
    return response.body;
  }

  messages<T = unknown>(): T[] {
    return this.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as T);
  }

  async next(predicate: (event: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; saw ${this.events.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  async #read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        this.#parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  #parse(block: string) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    this.events.push({ event, id, data: data.join('\n') });
    for (const wake of [...this.#waiters]) wake();
  }
}
