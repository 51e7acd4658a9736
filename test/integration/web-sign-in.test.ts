import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { testRedisUrl } from '../support/redis.ts';

/**
 * With DASHBOARD_TOKENS set, nothing of the console or the dashboard is read or done without a
 * session; without tokens, the bot serves them only on a loopback address and otherwise refuses
 * to start, saying what to set.
 */
const TOKEN = 'kim-token-0123456789';
const LEE_TOKEN = 'lee-token-0123456789';

describe('with DASHBOARD_TOKENS', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ DASHBOARD_TOKENS: `kim:${TOKEN},lee:${LEE_TOKEN}` });
  }, 60_000);

  afterAll(() => app.stop());

  const request = (method: string, path: string, cookie?: string, body?: unknown) =>
    fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-coxswain-name': 'kim',
        ...(cookie === undefined ? {} : { cookie }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function signIn(name = 'kim', token = TOKEN): Promise<string> {
    const response = await request('POST', '/dashboard/login', undefined, { name, token });
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }

  const ROUTES: [string, string, unknown?][] = [
    ['GET', '/api/channels'],
    ['GET', '/api/stream?channel=ops'],
    ['POST', '/api/channels/ops/messages', { text: 'status', author: 'kim' }],
    ['POST', '/api/channels/ops/clicks', { entry: '1-0', button: 0, author: 'kim' }],
    ['GET', '/dashboard/api/me'],
    ['GET', '/dashboard/api/status'],
    ['GET', '/dashboard/api/pending'],
    ['GET', '/dashboard/api/history'],
    ['GET', '/dashboard/api/workflows'],
    ['POST', '/dashboard/api/proposals/pabcdefgh/approve', {}],
    ['POST', '/dashboard/api/workflows/deploy-app/run', { channel: 'web:ops', inputs: {} }],
  ];

  it('answers every console and dashboard route 401 without a session, whatever name is sent', async () => {
    const answers = await Promise.all(
      ROUTES.map(async ([method, path, body]) => {
        const response = await request(method, path, undefined, body);
        return {
          path,
          status: response.status,
          error: ((await response.json()) as { error: string }).error,
        };
      }),
    );

    for (const answer of answers) {
      expect(answer, answer.path).toMatchObject({
        status: 401,
        error: expect.stringContaining('sign in'),
      });
    }
    const stale = await request(
      'GET',
      '/api/channels',
      'coxswain_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(stale.status).toBe(401);
  });

  it('serves the pages themselves, so that people can sign in', async () => {
    const pages = await Promise.all(
      ['/', '/console.js', '/dashboard', '/dashboard.js'].map((p) => fetch(`${app.baseUrl}${p}`)),
    );

    expect(pages.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('signs out only on a JSON post, which another site’s plain form cannot send', async () => {
    const cookie = await signIn();

    const form = await fetch(`${app.baseUrl}/dashboard/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'x=1',
    });

    expect(form.status).toBe(415);
    expect(form.headers.get('set-cookie')).toBeNull();
    expect((await request('GET', '/api/channels', cookie)).status).toBe(200);
  });

  it('reads the console with a session, and ends its stream at once when the session ends', async () => {
    const cookie = await signIn();
    const other = await signIn('lee', LEE_TOKEN);
    const channels = await request('GET', '/api/channels', cookie);
    const stream = await fetch(`${app.baseUrl}/api/stream?channel=ops`, { headers: { cookie } });
    expect(channels.status).toBe(200);
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    if (reader === undefined) throw new Error('the stream has a body');
    await reader.read();
    const seen: string[] = [];
    const decoder = new TextDecoder();
    const ended = (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) return true;
        seen.push(decoder.decode(chunk.value));
      }
    })();

    const out = await request('POST', '/dashboard/logout', cookie, {});
    const posted = await request('POST', '/api/channels/ops/messages', other, {
      text: 'said after kim signed out',
    });

    // Well before the 15 s heartbeat: the sign-out itself ends the stream.
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000));
    expect(out.status).toBe(200);
    expect(posted.status).toBe(201);
    expect(await Promise.race([ended, timeout])).toBe(true);
    expect(seen.join('')).not.toContain('said after kim signed out');
    expect((await request('GET', '/api/channels', cookie)).status).toBe(401);
  });
});

describe('with two bot replicas', () => {
  it('ends a stream on one replica at once when the session signs out on the other', async () => {
    const first = await startTestApp({ DASHBOARD_TOKENS: `kim:${TOKEN}` });
    const second = await startTestApp(
      { DASHBOARD_TOKENS: `kim:${TOKEN}`, REDIS_PREFIX: first.prefix },
      'bot',
    );
    try {
      const login = await fetch(`${first.baseUrl}/dashboard/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'kim', token: TOKEN }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const stream = await fetch(`${second.baseUrl}/api/stream?channel=ops`, {
        headers: { cookie },
      });
      const reader = stream.body?.getReader();
      if (reader === undefined) throw new Error('the stream has a body');
      await reader.read();
      const ended = (async () => {
        for (;;) {
          const chunk = await reader.read().catch(() => ({ done: true }));
          if (chunk.done) return true;
        }
      })();

      const out = await fetch(`${first.baseUrl}/dashboard/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: '{}',
      });

      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000));
      expect(stream.status).toBe(200);
      expect(out.status).toBe(200);
      expect(await Promise.race([ended, timeout])).toBe(true);
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});

describe('guessing tokens', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ DASHBOARD_TOKENS: `kim:${TOKEN},lee:${LEE_TOKEN}` });
  }, 60_000);

  afterAll(() => app.stop());

  const login = (name: string, token: string) =>
    fetch(`${app.baseUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, token }),
    });

  it('holds a name back after 5 wrong tokens, even with the right one, saying for how long', async () => {
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) wrong.push((await login('kim', `not-kims-token-${i}`)).status);

    const right = await login('kim', TOKEN);
    const other = await login('lee', LEE_TOKEN);

    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    expect(right.status).toBe(429);
    expect(((await right.json()) as { error: string }).error).toContain('too many');
    const retryAfter = Number(right.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(other.status).toBe(200);
  });

  it('holds a client back after 20 wrong sign-ins, whatever names it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await login(`guess-${i}`, 'a-guessed-token')).status);

    const next = await login('lee', LEE_TOKEN);

    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('behind https (PUBLIC_URL)', () => {
  it('sets a Secure __Host- cookie, which then signs the person in', async () => {
    const app = await startTestApp({
      DASHBOARD_TOKENS: `kim:${TOKEN}`,
      PUBLIC_URL: 'https://coxswain.example.com',
    });
    try {
      const login = await fetch(`${app.baseUrl}/dashboard/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'kim', token: TOKEN }),
      });
      const setCookie = login.headers.get('set-cookie') ?? '';
      const cookie = setCookie.split(';')[0] ?? '';

      const me = await fetch(`${app.baseUrl}/dashboard/api/me`, { headers: { cookie } });
      const plain = await fetch(`${app.baseUrl}/dashboard/api/me`, {
        headers: { cookie: cookie.replace('__Host-', '') },
      });

      expect(setCookie).toMatch(/^__Host-coxswain_session=[A-Za-z0-9_-]{32}; /);
      expect(setCookie.split('; ')).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']),
      );
      expect(me.status).toBe(200);
      expect(plain.status).toBe(401);
    } finally {
      await app.stop();
    }
  });
});

describe('without DASHBOARD_TOKENS', () => {
  let run: CliRun | undefined;

  afterEach(() => {
    run?.child.kill('SIGKILL');
    run = undefined;
  });

  it('refuses to serve the console on an address other machines reach, saying what to set', async () => {
    const all = startTestApp({ HOST: '0.0.0.0' });
    const bot = startTestApp({ HOST: '0.0.0.0' }, 'bot');

    await expect(all).rejects.toThrow(/DASHBOARD_TOKENS.*or HOST=127\.0\.0\.1/);
    await expect(bot).rejects.toThrow(/HOST: is not a loopback address/);
  });

  it('starts on such an address with tokens, and a lone worker without them', async () => {
    const bot = await startTestApp({ HOST: '0.0.0.0', DASHBOARD_TOKENS: `kim:${TOKEN}` }, 'bot');
    const worker = await startTestApp({ HOST: '0.0.0.0' }, 'worker');
    try {
      expect((await fetch(`${bot.baseUrl}/api/channels`)).status).toBe(401);
    } finally {
      await bot.stop();
      await worker.stop();
    }
  });

  it('serves the console on loopback', async () => {
    const app = await startTestApp({ HOST: '127.0.0.1' });
    try {
      expect((await fetch(`${app.baseUrl}/api/channels`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('trusts a typed name on the loopback demo only when no proxy says it passed the request on', async () => {
    const app = await startTestApp({ HOST: '127.0.0.1' }, 'all', { trustLocalNames: true });
    const me = (headers: Record<string, string>) =>
      fetch(`${app.baseUrl}/dashboard/api/me`, {
        headers: { 'x-coxswain-name': 'kim', ...headers },
      });
    try {
      const direct = await me({});
      const proxied = await Promise.all(
        [
          { 'x-forwarded-for': '203.0.113.9' },
          { forwarded: 'for=203.0.113.9' },
          { 'x-real-ip': '203.0.113.9' },
          { via: '1.1 nginx' },
        ].map(me),
      );

      expect(direct.status).toBe(200);
      expect(proxied.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    } finally {
      await app.stop();
    }
  });

  it('stops `coxswain bot` at start with the message and exit code 1', async () => {
    run = runCli(['bot'], {
      REDIS_URL: testRedisUrl(),
      HOST: '0.0.0.0',
      PORT: '0',
      DASHBOARD_TOKENS: '',
      // The webhook's own refusal comes first; this is about the console's.
      ALERTMANAGER_TOKEN: 'a-webhook-token-of-some-length',
    });

    const code = await run.exited;

    expect(code).toBe(1);
    expect(run.stderr()).toContain(
      'HOST: is not a loopback address and DASHBOARD_TOKENS is not set',
    );
    expect(run.stderr()).toContain(
      'set DASHBOARD_TOKENS (name:token,…) so that people sign in, or HOST=127.0.0.1',
    );
  });
});
