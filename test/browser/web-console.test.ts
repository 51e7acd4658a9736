import { Queue } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { launchChromium } from '../support/browser.ts';
import { writeApprovalConfig, writeConfigFile } from '../support/config-file.ts';
import { alertFixture } from '../support/fixtures.ts';
import { useSandbox } from '../support/sandbox.ts';

const sandbox = useSandbox(['oom-crashloop']);
let browser: Browser;
let app: TestApp;
let page: Page | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await page?.close();
  await app?.stop();
});

async function openConsole(hash = '', env: Record<string, string> = {}, trustLocalNames = false) {
  app = await startTestApp(env, 'all', { trustLocalNames });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${app.baseUrl}/${hash}`);
  await page.locator('#live[data-state="live"]').waitFor();
  return { page, errors };
}

it('shows a posted alert in #alerts without a reload', async () => {
  const { page, errors } = await openConsole();
  let navigations = 0;
  page.on('framenavigated', () => navigations++);

  const response = await postAlert(app.baseUrl, alertFixture('firing'));

  expect(response.status).toBe(202);
  const card = page.locator('.entry', { hasText: 'Firing: KubePodCrashLooping' });
  await card.waitFor();
  expect(await card.locator('.headline').textContent()).toBe('Firing: KubePodCrashLooping');
  expect(await card.getAttribute('class')).toContain('tone-critical');
  expect(await card.locator('.field', { hasText: 'Namespace' }).locator('dd').textContent()).toBe(
    'payments',
  );
  expect(await card.locator('a', { hasText: 'Runbook' }).getAttribute('href')).toBe(
    'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
  );
  expect(await page.locator('#channel-title').textContent()).toBe('#alerts');
  expect(await page.locator('#channels a').allTextContents()).toEqual(['#alerts', '#general']);
  expect(navigations).toBe(0);
  expect(errors).toEqual([]);
});

it('asks for a sign-in, and shows nothing, when the console has one and no session', async () => {
  app = await startTestApp({ DASHBOARD_TOKENS: 'kim:kim-token-0123456789' });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${app.baseUrl}/#ops`);

  const notice = page.locator('.entry.sign-in');
  await notice.waitFor();
  expect(await notice.textContent()).toContain('sign in');
  expect(await notice.locator('a').getAttribute('href')).toBe('/dashboard');
  expect(await page.locator('#live').textContent()).toBe('not signed in');
  expect(await page.locator('.entry').count()).toBe(1);
  expect(errors).toEqual([]);
});

it('sends a message from the box and shows it in the channel', async () => {
  const { page, errors } = await openConsole('#general');

  await page.fill('#author', 'dana');
  await page.fill('#text', 'checking the payments pods now');
  await page.press('#text', 'Enter');

  const entry = page.locator('.entry.human', { hasText: 'checking the payments pods now' });
  await entry.waitFor();
  expect(await entry.locator('.author').textContent()).toBe('dana');
  expect(await page.inputValue('#text')).toBe('');
  expect(errors).toEqual([]);
});

it('switches channels from the sidebar and shows only that channel', async () => {
  const { page } = await openConsole();
  await postAlert(app.baseUrl, alertFixture('multi'));
  await page.locator('.entry', { hasText: 'KubeNodePressure' }).waitFor();

  await page.click('#channels a:text("#general")');
  await page.locator('#channel-title:text("#general")').waitFor();
  await page.locator('#live[data-state="live"]').waitFor();

  expect(await page.locator('.entry').count()).toBe(0);
  await page.click('#channels a:text("#alerts")');
  await page.locator('.entry', { hasText: 'KubeNodePressure' }).waitFor();
  expect(await page.locator('.entry').count()).toBe(1);
});

it('renders alert text as text, never as markup', async () => {
  const { page, errors } = await openConsole();
  const hostile = alertFixture('firing');
  const alerts = hostile.alerts as { annotations: Record<string, string> }[];
  const first = alerts[0];
  if (first === undefined) throw new Error('fixture has an alert');
  first.annotations.summary = '<img src=x onerror="document.body.dataset.owned=1">pwned';
  hostile.commonAnnotations = first.annotations;

  await postAlert(app.baseUrl, hostile);

  const card = page.locator('.entry', { hasText: 'pwned' });
  await card.waitFor();
  expect(await card.locator('img').count()).toBe(0);
  expect(await page.locator('body').getAttribute('data-owned')).toBeNull();
  expect(errors).toEqual([]);
});

it('edits a status message in place, and shows preformatted sections as code', async () => {
  const { page, errors } = await openConsole('#ops');
  const outbox = new Queue('outbox', { connection: { url: app.redisUrl }, prefix: app.prefix });
  const status = (text: string, step: string) =>
    outbox.add(
      'status',
      { channel: 'web:ops', message: { text }, replaceKey: 'status.run-1' },
      { jobId: `run-1.${step}` },
    );

  try {
    await status('Looking into it…', 'start');
    await page.locator('.entry', { hasText: 'Looking into it…' }).waitFor();
    await status('Asking k8s-diagnostician…', 'delegate');
    await page.locator('.entry', { hasText: 'Asking k8s-diagnostician…' }).waitFor();
    await outbox.add('answer', {
      channel: 'web:ops',
      message: {
        headline: 'Diff',
        sections: [{ title: 'Proposed fix', code: '-  memory: 256Mi\n+  memory: 384Mi' }],
      },
    });
    await page.locator('pre.code').waitFor();

    expect(await page.locator('.entry').count()).toBe(2);
    expect(await page.locator('.entry', { hasText: 'Looking into it…' }).count()).toBe(0);
    expect(await page.locator('.entry').first().textContent()).toContain(
      'Asking k8s-diagnostician…',
    );
    expect(await page.locator('pre.code').textContent()).toBe('-  memory: 256Mi\n+  memory: 384Mi');
    expect(errors).toEqual([]);
  } finally {
    await outbox.close();
  }
});

it('shows a message’s buttons, and a click runs the command behind it', async () => {
  const config = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [{ channel: 'web:ops', clusters: ['sandbox'], namespaces: ['*'] }],
  });
  const { page, errors } = await openConsole('#ops', { COXSWAIN_CONFIG: config });
  await page.locator('#author').fill('sam');

  await page.locator('#text').fill('status');
  await page.locator('#text').press('Enter');
  const status = page.locator('.entry', { hasText: 'Cluster sandbox' });
  const button = status.locator('.buttons button', { hasText: 'Diagnose payments' });
  await button.click();

  const answer = page.locator('.entry', { hasText: 'sam asked: diagnose' });
  await answer.waitFor({ timeout: 20_000 });
  expect(await answer.locator('.headline').textContent()).toMatch(/running out of memory/);
  expect(await answer.locator('.text').first().textContent()).toContain(
    'in namespace payments of cluster sandbox',
  );
  expect(await button.getAttribute('class')).toContain('style-primary');
  expect(errors).toEqual([]);
});

it('keeps an alert group’s conversation in its thread, and answers a reply typed there in it', async () => {
  const config = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [{ channel: 'web:alerts', clusters: ['sandbox'], namespaces: ['*'] }],
  });
  const { page, errors } = await openConsole('', { COXSWAIN_CONFIG: config });
  await page.locator('#author').fill('sam');
  const channel = page.locator('#messages > .entry');
  const thread = page.locator('#thread');
  const replies = thread.locator('#thread-replies > .entry');

  // No workflow takes this alert: the analyzers investigate it.
  const firing = JSON.parse(
    JSON.stringify(alertFixture('firing')).replaceAll('KubePodCrashLooping', 'PaymentsDown'),
  );
  await postAlert(app.baseUrl, firing);
  const group = channel.filter({ hasText: 'Firing: PaymentsDown' });
  const opener = group.locator('.thread-open.has-replies');
  await opener.click({ timeout: 30_000 });
  await replies.filter({ hasText: 'Answered by the analyzers' }).waitFor({ timeout: 30_000 });

  expect(await thread.locator('#thread-root .headline').textContent()).toBe('Firing: PaymentsDown');
  expect(await opener.getAttribute('aria-expanded')).toBe('true');
  await page.locator('#thread-text').fill('status');
  await page.locator('#thread-text').press('Enter');
  await replies.filter({ hasText: 'status' }).and(page.locator('.human')).waitFor();
  const status = replies.filter({ hasText: 'Cluster sandbox' });
  await status.locator('.buttons button', { hasText: 'Diagnose payments' }).click();
  await replies.filter({ hasText: 'sam asked: diagnose' }).waitFor({ timeout: 20_000 });

  await page.locator('#thread-text').fill('<img src=x onerror="document.body.dataset.owned=1">');
  await page.locator('#thread-text').press('Enter');
  await replies.filter({ hasText: '<img src=x' }).waitFor();

  expect(await channel.count()).toBe(1);
  expect(await page.locator('img').count()).toBe(0);
  const shown = await replies.count();
  await expect
    .poll(async () => opener.locator('.thread-count').textContent(), { timeout: 10_000 })
    .toBe(`${shown} replies`);
  expect(await page.locator('#thread-count').textContent()).toBe(`${shown} replies`);
  await thread.locator('#thread-close').click();
  expect(await thread.isHidden()).toBe(true);
  expect(await page.locator('.entry').count()).toBe(1);
  expect(errors).toEqual([]);

  // Later the channel moves on: the group's message is older than the history a browser is sent,
  // and a new reply in its thread brings it back with its whole thread.
  for (let i = 0; i < 200; i++) expect(await postMessage('alerts', `chatter ${i}`)).toBe(201);
  const root = (await group.getAttribute('data-id')) ?? '';
  expect(await postMessage('alerts', 'still crash looping?', root)).toBe(201);
  expect(await postMessage('alerts', 'into the void', '1-0')).toBe(404);
  await page.reload();
  await opener.waitFor();
  expect(await channel.first().getAttribute('data-id')).toBe(root);
  expect(await opener.locator('.thread-count').textContent()).toBe(`${shown + 1} replies`);
  await opener.click();
  await replies.filter({ hasText: 'still crash looping?' }).waitFor();
  await replies.nth(shown).waitFor();
  expect(await replies.count()).toBe(shown + 1);
  expect(errors).toEqual([]);
}, 90_000);

// Last: approving fixes the sandbox's crash loop, which the tests above need.
it('approves a proposal on the loopback console and shows the card settle in place', async () => {
  const config = writeApprovalConfig({
    cluster: 'sandbox',
    kubeconfig: sandbox.kubeconfig,
    channel: 'web:ops',
    approvers: ['web:sre'],
  });
  const { page, errors } = await openConsole('#ops', { COXSWAIN_CONFIG: config }, true);
  await page.locator('#author').fill('dana');
  await page.locator('#text').fill('diagnose -n payments');
  await page.locator('#text').press('Enter');
  const card = page.locator('.entry', { hasText: 'Approve? set memory limit' });
  await card.waitFor({ timeout: 20_000 });

  await card.locator('.buttons button', { hasText: 'Approve' }).click();
  await page.locator('.entry', { hasText: 'You cannot approve this proposal' }).waitFor();
  await page.locator('#author').fill('sre');
  await card.locator('.buttons button', { hasText: 'Approve' }).click();

  const done = page
    .locator('.entry')
    .filter({ has: page.locator('.headline', { hasText: 'Done: set memory limit' }) });
  await done.waitFor({ timeout: 60_000 });
  expect(await done.locator('.text').first().textContent()).toContain('Approved by sre');
  expect(await done.locator('.buttons button').count()).toBe(0);
  // One card, edited in place through its states.
  expect(
    await page
      .locator('.entry .headline', { hasText: /^(Approve\?|Approved:|Applying:|Done:) set memory/ })
      .count(),
  ).toBe(1);
  expect(errors).toEqual([]);
}, 90_000);

/** Posts as a person would from the console; answers the HTTP status. */
async function postMessage(channel: string, text: string, thread?: string): Promise<number> {
  const response = await fetch(`${app.baseUrl}/api/channels/${channel}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, author: 'kim', ...(thread === undefined ? {} : { thread }) }),
  });
  return response.status;
}
