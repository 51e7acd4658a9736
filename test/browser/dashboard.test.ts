import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { launchChromium } from '../support/browser.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { useSandbox } from '../support/sandbox.ts';
import { QUICK_LOOK, workflowsDirWith } from '../support/workflows-dir.ts';

/**
 * An approver signs in to the dashboard, approves the card waiting in Pending, and the console
 * (another tab) shows the same card settle in place; runs a YAML workflow from Workflows and
 * watches its steps finish there; follows an alert from firing to its report in Incidents.
 */

/** Signs in on the page's sign-in form, as a person would. */
async function signIn(page: Page, name: string, token: string): Promise<void> {
  await page.locator('#login').waitFor();
  await page.locator('#login-name').fill(name);
  await page.locator('#login-token').fill(token);
  await page.locator('#login button').click();
}

const sandbox = useSandbox(['oom-crashloop']);
const TOKEN = 'lee-token-0123456789';
const DANA = 'dana-token-0123456789';
let browser: Browser;
let app: TestApp;
const pages: Page[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  const config = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: 'web:ops',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['web:lee'],
      },
      // Alerts go to a web channel, which the dashboard shows to anyone signed in.
      { channel: 'web:alerts', clusters: ['sandbox'], namespaces: ['*'] },
    ],
    routes: [{ channels: ['web:alerts'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: config,
    DASHBOARD_TOKENS: `lee:${TOKEN},dana:${DANA}`,
    WORKFLOWS_DIR: workflowsDirWith({ 'quick-look.yaml': QUICK_LOOK }),
  });
}, 60_000);

afterAll(async () => {
  for (const page of pages) await page.close();
  await browser?.close();
  await app?.stop();
});

it('approves on the dashboard and the console shows the card update', async () => {
  // Dana asks in the console (signed in through the dashboard); Lee approves from another browser.
  const console = await (await browser.newContext()).newPage();
  const dashboard = await (await browser.newContext()).newPage();
  pages.push(console, dashboard);
  const errors: string[] = [];
  for (const page of [console, dashboard])
    page.on('pageerror', (error) => errors.push(error.message));
  await console.goto(`${app.baseUrl}/dashboard`);
  await console.locator('#login-name').fill('dana');
  await console.locator('#login-token').fill(DANA);
  await console.locator('#login button').click();
  await console.locator('#who', { hasText: 'Signed in as dana' }).waitFor();
  await console.goto(`${app.baseUrl}/#ops`);
  await console.locator('#live[data-state="live"]').waitFor();
  // Signed in, the console speaks as that person: the name box shows it and cannot be changed.
  await console.locator('#author[readonly]').waitFor({ state: 'attached' });
  expect(await console.locator('#author').inputValue()).toBe('dana');
  await console.locator('#text').fill('diagnose -n payments');
  await console.locator('#text').press('Enter');
  const card = console
    .locator('.entry')
    .filter({ has: console.locator('.headline', { hasText: /set memory limit 256Mi → 384Mi/ }) })
    .filter({ has: console.locator('.footer', { hasText: 'proposal p' }) });
  await card.locator('.buttons button', { hasText: 'Approve' }).waitFor({ timeout: 20_000 });

  await dashboard.goto(`${app.baseUrl}/dashboard#pending`);
  await signIn(dashboard, 'lee', TOKEN);
  await dashboard.locator('#who', { hasText: 'Signed in as lee' }).waitFor();
  const pending = dashboard.locator('#pending .card', { hasText: 'Approve? set memory limit' });
  await pending.locator('.buttons button', { hasText: 'Approve' }).click();

  await card
    .locator('.headline', { hasText: /^(Approved|Applying|Done):/ })
    .waitFor({ timeout: 20_000 });
  expect(await card.locator('.buttons button').count()).toBe(0);
  await card.locator('.headline', { hasText: /^Done:/ }).waitFor({ timeout: 60_000 });
  expect(await card.locator('.text').first().textContent()).toContain('Approved by lee');
  await dashboard.locator('#pending .empty').waitFor({ timeout: 10_000 });
  await dashboard.goto(`${app.baseUrl}/dashboard#history`);
  await dashboard.locator('#history-rows tr', { hasText: 'executed' }).waitFor();
  expect(errors).toEqual([]);
}, 120_000);

it('lets an approver suspend and resume writes from Status, and shows who and why', async () => {
  const dashboard = await (await browser.newContext()).newPage();
  pages.push(dashboard);
  const errors: string[] = [];
  dashboard.on('pageerror', (error) => errors.push(error.message));
  await dashboard.goto(`${app.baseUrl}/dashboard#status`);
  await signIn(dashboard, 'lee', TOKEN);
  await dashboard.locator('#suspend', { hasText: 'Writes allowed' }).waitFor();

  await dashboard.locator('#suspend input[name="reason"]').fill('node upgrade');
  await dashboard.locator('#suspend button', { hasText: 'Suspend writes' }).click();
  const on = dashboard.locator('#suspend.on .headline', { hasText: /by web:lee: node upgrade$/ });
  await on.waitFor();
  const shown = await on.textContent();
  await dashboard.locator('#suspend button', { hasText: 'Resume writes' }).click();
  await dashboard.locator('#suspend.off', { hasText: 'Writes allowed' }).waitFor();

  expect(shown).toMatch(
    /^Writes suspended since \d{4}-\d\d-\d\d \d\d:\d\d UTC by web:lee: node upgrade$/,
  );
  await dashboard.goto(`${app.baseUrl}/dashboard#history`);
  await dashboard.locator('#history-rows tr', { hasText: 'resumed' }).waitFor();
  expect(errors).toEqual([]);
}, 60_000);

it('lists the workflows with their triggers, runs one, and shows its steps as they finish', async () => {
  const dashboard = await (await browser.newContext()).newPage();
  pages.push(dashboard);
  const errors: string[] = [];
  dashboard.on('pageerror', (error) => errors.push(error.message));
  await dashboard.goto(`${app.baseUrl}/dashboard#workflows`);
  await signIn(dashboard, 'lee', TOKEN);
  const quick = dashboard.locator('#workflow-list .workflow', {
    has: dashboard.locator('.headline', { hasText: /^quick-look$/ }),
  });
  await quick.waitFor();

  await quick.locator('input[name="channel"]').fill('web:ops');
  await quick.locator('button', { hasText: 'Run' }).click();
  await quick.locator('button', { hasText: 'Queued' }).waitFor();

  expect(await quick.locator('.text').textContent()).toBe('The cluster at a glance, then a report');
  expect(await quick.locator('.trigger').textContent()).toBe('trigger: manual');
  expect(await quick.locator('.footer').textContent()).toMatch(/quick-look\.yaml$/);
  expect(
    await dashboard
      .locator('#workflow-list .workflow', { hasText: 'deploy-app' })
      .locator('.trigger')
      .textContent(),
  ).toBe('trigger: manual');
  // The runs refresh on their own: the run shows up and finishes without a reload.
  const run = dashboard.locator('#workflow-runs .run.state-succeeded', {
    has: dashboard.locator('.headline', { hasText: 'quick-look: succeeded' }),
  });
  await run.waitFor({ timeout: 60_000 });
  expect(await run.locator('.footer').textContent()).toMatch(
    /^manual · started .+ · finished .+ · web:ops · sandbox$/,
  );
  const steps = run.locator('.steps .step');
  expect(await steps.locator('.step-name').allTextContents()).toEqual(['look', 'notify']);
  expect(await steps.locator('.step-state').allTextContents()).toEqual(['succeeded', 'succeeded']);
  expect(await steps.first().locator('.step-detail').textContent()).toMatch(
    /^\d+\/\d+ nodes ready/,
  );
  expect(errors).toEqual([]);
}, 90_000);

it('rates an answer with 👎 in the console, lists it under Feedback and exports it', async () => {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${app.baseUrl}/dashboard#feedback`);
  await signIn(page, 'dana', DANA);
  await page.locator('#feedback-count', { hasText: 'No feedback yet.' }).waitFor();
  await page.goto(`${app.baseUrl}/#ops`);
  await page.locator('#live[data-state="live"]').waitFor();
  await page.locator('#text').fill('@coxswain why is payments crashlooping?');
  await page.locator('#text').press('Enter');
  const answer = page
    .locator('.entry')
    .filter({ has: page.locator('.buttons button', { hasText: '👎' }) });

  await answer.locator('.buttons button', { hasText: '👎' }).click({ timeout: 20_000 });
  await page.locator('.entry .headline', { hasText: 'Thanks: 👎 recorded' }).waitFor();
  await page.goto(`${app.baseUrl}/dashboard#feedback`);
  const row = page.locator('#feedback-rows tr', { hasText: 'web:dana' });
  await row.waitFor();
  const download = page.waitForEvent('download');
  await page.locator('#feedback-export').click();
  const saved = await (await download).createReadStream();
  let body = '';
  for await (const chunk of saved) body += String(chunk);

  expect(await row.locator('td').nth(1).textContent()).toBe('👎 answer');
  expect(await row.locator('td').nth(4).textContent()).toBe('why is payments crashlooping?');
  expect(await row.locator('summary').textContent()).not.toBe('');
  expect(
    body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ).toEqual([
    expect.objectContaining({ kind: 'answer', rating: 'down', by: 'web:dana', channel: 'web:ops' }),
  ]);
  expect(errors).toEqual([]);
}, 60_000);

const HOSTILE = '<img src=x onerror=alert(1)>';

/** An Alertmanager notification about a namespace the sandbox has nothing in. */
function notification(status: 'firing' | 'resolved', startsAt: string, endsAt?: string) {
  const alert = {
    status,
    labels: { alertname: HOSTILE, namespace: 'storefront', severity: 'warning' },
    annotations: { summary: 'The storefront is slow' },
    startsAt,
    ...(endsAt === undefined ? {} : { endsAt }),
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: 'store0001',
  };
  return {
    version: '4',
    groupKey: '{}:{alertname="storefront"}',
    truncatedAlerts: 0,
    status,
    receiver: 'coxswain',
    groupLabels: { namespace: 'storefront' },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager.example',
    alerts: [alert],
  };
}

it('follows an alert from firing to its report in Incidents, with the charts drawn by the bot', async () => {
  const dashboard = await (await browser.newContext()).newPage();
  pages.push(dashboard);
  const errors: string[] = [];
  const requested: URL[] = [];
  dashboard.on('pageerror', (error) => errors.push(error.message));
  dashboard.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  // A refused inline script or style, or an eval, is reported on the console.
  dashboard.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  dashboard.on('request', (request) => requested.push(new URL(request.url())));
  await dashboard.goto(`${app.baseUrl}/dashboard#incidents`);
  await signIn(dashboard, 'dana', DANA);
  await dashboard.locator('#incidents-empty', { hasText: 'No incidents yet.' }).waitFor();

  const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
  expect((await postAlert(app.baseUrl, notification('firing', startsAt))).status).toBe(202);
  // The view refreshes on its own: the incident shows up, then its diagnosis.
  const row = dashboard.locator('#incident-rows tr', { hasText: HOSTILE });
  await row.locator('td.cause').filter({ hasText: /\S/ }).waitFor({ timeout: 60_000 });
  const endsAt = new Date().toISOString();
  expect((await postAlert(app.baseUrl, notification('resolved', startsAt, endsAt))).status).toBe(
    202,
  );
  await row.locator('.incident-state', { hasText: 'resolved' }).waitFor({ timeout: 30_000 });
  await row.locator('button.link').click();
  const report = dashboard.locator('#incident-report');
  await report.locator('.timeline').waitFor({ timeout: 30_000 });
  await dashboard.locator('#chart-mttr canvas').first().waitFor({ timeout: 30_000 });

  const cause = await row.locator('td.cause').textContent();
  expect(await row.locator('button.link').textContent()).toBe(HOSTILE);
  expect(await row.locator('td').nth(2).textContent()).toBe('storefront');
  expect(await report.locator('.report-title').textContent()).toBe(HOSTILE);
  expect(await report.locator('.report-cause').textContent()).toBe(`Cause: ${cause}`);
  const timeline = await report.locator('.timeline .what').allTextContents();
  expect(timeline[0]).toBe('fired');
  expect(timeline).toContain('diagnosed');
  expect(timeline.at(-1)).toBe('resolved');
  expect(await dashboard.locator('#incidents img').count()).toBe(0);
  for (const chart of ['alerts-per-hour', 'mttr', 'automation', 'spend']) {
    const box = await dashboard.locator(`#chart-${chart} canvas`).first().boundingBox();
    expect(box?.width, chart).toBeGreaterThan(0);
    expect(box?.height, chart).toBeGreaterThan(0);
  }
  const vendor = requested.filter((url) => url.pathname.startsWith('/dashboard/vendor/'));
  expect(vendor.map((url) => url.pathname).sort()).toEqual([
    '/dashboard/vendor/uplot.esm.js',
    '/dashboard/vendor/uplot.min.css',
  ]);
  const elsewhere = requested.filter(
    (url) => url.protocol.startsWith('http') && url.origin !== app.baseUrl,
  );
  expect(elsewhere).toEqual([]);
  expect(errors).toEqual([]);
}, 120_000);

it('shows a change in the cluster on Status within seconds, without a reload, and how old it is', async () => {
  const dashboard = await (await browser.newContext()).newPage();
  pages.push(dashboard);
  const errors: string[] = [];
  dashboard.on('pageerror', (error) => errors.push(error.message));
  await dashboard.goto(`${app.baseUrl}/dashboard#status`);
  await signIn(dashboard, 'lee', TOKEN);
  const cluster = dashboard.locator('#clusters .card', { hasText: 'Cluster sandbox' });
  await cluster.waitFor();
  const nodes = cluster.locator('.section', { hasText: 'Nodes' }).locator('.code');
  const before = await nodes.textContent();

  await sandbox.cluster.core.patchNode(
    { name: 'sandbox-worker2', body: { spec: { unschedulable: true } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  try {
    await cluster
      .locator('.code', { hasText: /sandbox-worker2 .*cordoned/ })
      .waitFor({ timeout: 20_000 });
  } finally {
    await sandbox.cluster.core.patchNode(
      { name: 'sandbox-worker2', body: { spec: { unschedulable: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  expect(before).not.toMatch(/sandbox-worker2 .*cordoned/);
  expect(await cluster.locator('.footer').textContent()).toMatch(/^as of \d+ s ago$/);
  expect(errors).toEqual([]);
}, 60_000);
