import type { ChatMessage } from '../chat/message.ts';
import { redactMessage } from '../chat/redact-message.ts';
import { renderStatus } from '../commands/status.ts';
import type { ClusterSnapshot } from './status-store.ts';

/** One cluster on the Status view, as one person may see it. */
type ClusterView = {
  cluster: string;
  at: string;
  message: ChatMessage | undefined;
  error?: string;
};

/**
 * A snapshot shown for the namespaces (globs) a person's channels are bound to in its cluster:
 * their pods, deployments and problems only, with no buttons (the dashboard runs no commands),
 * and through the same last redaction as chat.
 */
export function statusView(snapshot: ClusterSnapshot, namespaces: readonly string[]): ClusterView {
  const view: ClusterView = { cluster: snapshot.cluster, at: snapshot.at, message: undefined };
  if (snapshot.error !== undefined) view.error = snapshot.error;
  if (snapshot.health !== undefined)
    view.message = redactMessage({
      ...renderStatus(snapshot.health, namespaces).message,
      buttons: [],
    });
  return view;
}
