import type { App, Logger as BoltLogger, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from '../../observability/logger.ts';
import { envelopeProblem } from './payload-shape.ts';

/**
 * Bolt's receiver for Socket Mode, acknowledging an envelope only once the listeners are done,
 * which is once the work is durably queued. Bolt's own receiver acknowledges events before its
 * listeners run, so an event that could not be queued would be lost; here it is left
 * unacknowledged and Slack delivers it again.
 */
export class SlackSocketReceiver implements Receiver {
  readonly #client: SocketModeClient;
  readonly #log: Logger;
  #app: App | undefined;

  constructor(
    appToken: string,
    clientOptions: { slackApiUrl?: string },
    logger: BoltLogger,
    log: Logger,
  ) {
    this.#client = new SocketModeClient({ appToken, logger, clientOptions });
    this.#log = log;
    this.#client.on('slack_event', (envelope: Envelope) => {
      void this.#handle(envelope);
    });
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {
    await this.#client.start();
  }

  async stop(): Promise<void> {
    await this.#client.disconnect();
  }

  async #handle(envelope: Envelope): Promise<void> {
    const app = this.#app;
    if (app === undefined) return;
    const problem = envelopeProblem(envelope.body);
    if (problem !== undefined) {
      // Sent again it would fail again: acknowledged and dropped.
      this.#log.warn({ problem }, 'slack envelope dropped: not of the shape Slack sends');
      await envelope.ack().catch(() => undefined);
      return;
    }
    let response: unknown;
    const event: ReceiverEvent = {
      body: envelope.body,
      ack: async (answer?: unknown) => {
        response = answer;
      },
      ...(envelope.retry_num === undefined ? {} : { retryNum: envelope.retry_num }),
      ...(envelope.retry_reason === undefined ? {} : { retryReason: envelope.retry_reason }),
    };
    try {
      await app.processEvent(event);
    } catch (error) {
      this.#log.error(
        { err: error, retry: envelope.retry_num ?? 0 },
        'slack envelope not handled; Slack will send it again',
      );
      return;
    }
    try {
      await envelope.ack(
        response === '' ? undefined : (response as Record<string, unknown> | undefined),
      );
    } catch (error) {
      this.#log.warn({ err: error }, 'slack envelope handled but its ack was not sent');
    }
  }
}

type Envelope = {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
};
