import type { App } from '@slack/bolt';
import type { Logger } from '../../observability/logger.ts';

/**
 * The user groups each person is in (`usergroups:read`), asked of Slack at most once a minute:
 * approvers may be named as `slack:group:S…`.
 */
export class UserGroups {
  readonly #log: Logger;
  #members: Map<string, string[]> | undefined;
  #at = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  async of(app: App, user: string): Promise<string[]> {
    if (this.#members === undefined || Date.now() - this.#at > 60_000) {
      try {
        const listed = await app.client.usergroups.list({ include_users: true });
        const members = new Map<string, string[]>();
        for (const group of listed.usergroups ?? []) {
          for (const member of group.users ?? []) {
            members.set(member, [...(members.get(member) ?? []), `slack:group:${group.id}`]);
          }
        }
        this.#members = members;
        this.#at = Date.now();
      } catch (error) {
        this.#log.warn(
          { err: error },
          'slack user groups could not be read; approvers by group are not recognised',
        );
        return [];
      }
    }
    return this.#members.get(user) ?? [];
  }
}
