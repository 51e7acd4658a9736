import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The Slack app manifests in deploy/ ask for exactly what the bot uses: a scope more is access
 * nobody needs, a scope or event less is a feature that silently does nothing.
 */
type Manifest = {
  features: {
    slash_commands: { command: string; url?: string }[];
    app_home: { messages_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
};

const read = (name: string) =>
  parse(
    readFileSync(new URL(`../../../deploy/slack/${name}`, import.meta.url), 'utf8'),
  ) as Manifest;

describe.each([
  ['app-manifest.yaml', true],
  ['app-manifest-http.yaml', false],
])('%s', (name, socketMode) => {
  const manifest = read(name);

  it('asks for exactly the scopes and events the bot listens to', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'app_mentions:read',
      'chat:write',
      'commands',
      'im:history',
      'usergroups:read',
    ]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([
      'app_mention',
      'message.im',
    ]);
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/coxswain']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it(
    socketMode ? 'uses Socket Mode, with no public URL' : 'sends everything to /slack/events',
    () => {
      expect(manifest.settings.socket_mode_enabled).toBe(socketMode);
      const urls = [
        manifest.settings.event_subscriptions.request_url,
        manifest.settings.interactivity.request_url,
        ...manifest.features.slash_commands.map((c) => c.url),
      ];
      if (socketMode) expect(urls.every((u) => u === undefined)).toBe(true);
      else expect(urls.every((u) => u?.endsWith('/slack/events'))).toBe(true);
    },
  );
});
