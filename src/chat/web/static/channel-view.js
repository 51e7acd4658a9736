// What the console knows of the open channel: each message's newest version, the replies in each
// thread, and each thread's reply count. Entries come from the live stream and from threads read
// whole, in any order and more than once: the newest version of a message wins, and a count only
// grows, so taking an entry twice changes nothing.

/** Orders stream ids (`<ms>-<seq>`), beyond what a float holds. */
export function compareIds(a, b) {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

export class ChannelView {
  /** Each message by its first entry's id, as shown: its newest entry, with `version` its id. */
  #messages = new Map();
  /** The ids of each thread's replies, by the id of the message that starts it. */
  #replies = new Map();
  /** Each thread's `{ count, latestAt }`, by the id of the message that starts it. */
  #summaries = new Map();

  /**
   * Takes an entry in. Answers the message to show anew (none when a newer version is shown
   * already) and the threads whose count changed.
   */
  take(entry) {
    const id = entry.replaces ?? entry.id;
    const counted = [];
    if (entry.replies && this.#grow(id, entry.replies)) counted.push(id);
    if (entry.thread && entry.replyNumber) {
      const summary = { count: entry.replyNumber, latestAt: entry.at };
      if (this.#grow(entry.thread, summary)) counted.push(entry.thread);
    }
    const known = this.#messages.get(id);
    if (known && compareIds(known.version, entry.id) >= 0) return { shown: undefined, counted };
    const shown = { ...entry, id, version: entry.id };
    this.#messages.set(id, shown);
    if (entry.thread) {
      const replies = this.#replies.get(entry.thread) ?? new Set();
      replies.add(id);
      this.#replies.set(entry.thread, replies);
    }
    return { shown, counted };
  }

  message(id) {
    return this.#messages.get(id);
  }

  /** A thread's replies as shown, oldest first. */
  replies(root) {
    return [...(this.#replies.get(root) ?? [])]
      .sort(compareIds)
      .map((id) => this.#messages.get(id));
  }

  summary(root) {
    return this.#summaries.get(root);
  }

  #grow(root, summary) {
    const known = this.#summaries.get(root);
    if (known && known.count >= summary.count) return false;
    this.#summaries.set(root, { count: summary.count, latestAt: summary.latestAt });
    return true;
  }
}
