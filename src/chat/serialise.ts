/**
 * Runs tasks with the same key one after another, in the order they were given, in this process:
 * the first post of an edited message must be known before its next edit goes out.
 */
export class KeyedSerialiser {
  readonly #running = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.#running.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.#running.set(key, next);
    void next
      .finally(() => {
        if (this.#running.get(key) === next) this.#running.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
}
