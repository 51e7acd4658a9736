import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../src/chat/web/entry.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';

type Entry = {
  id: string;
  author: string;
  bot: boolean;
  message: {
    headline?: string;
    text?: string;
    footer?: string;
    sections: { title?: string; code?: string }[];
    buttons: { action: string; label: string; value: string }[];
  };
};

const sandbox = useSandbox(['oom-crashloop', 'healthy', 'bad-rollout']);
let app: TestApp;
const streams: SseClient[] = [];

beforeAll(async () => {
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      { channel: 'web:ops', clusters: ['sandbox'], namespaces: ['*'], maxTier: 'confirm' },
      { channel: 'web:shop-team', clusters: ['sandbox'], namespaces: ['shop'] },
    ],
  });
  app = await startTestApp({ COXSWAIN_CONFIG: file });
});

afterAll(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await app.stop();
});

/** Posts `text` in a channel and returns the bot's first message after it (or the first that matches). */
async function ask(
  channel: string,
  text: string,
  author = 'dana',
  // Proposal cards follow some answers; the answer is what is asked for unless told otherwise.
  wanted: (entry: Entry) => boolean = (e) => !e.message.buttons.some((b) => b.action === 'approve'),
): Promise<Entry> {
  const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=${channel}`);
  streams.push(stream);
  const posted = await fetch(`${app.baseUrl}/api/channels/${channel}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, author }),
  });
  expect(posted.status).toBe(201);
  const { id } = (await posted.json()) as { id: string };
  const reply = await stream.next(
    (e) =>
      e.event === 'message' &&
      compareStreamIds(e.id ?? '0-0', id) > 0 &&
      (JSON.parse(e.data) as Entry).bot &&
      wanted(JSON.parse(e.data) as Entry),
    20_000,
  );
  return JSON.parse(reply.data) as Entry;
}

describe('commands in the web console', () => {
  it('answers diagnose with the OOM kill, its evidence and a dry-run fix', async () => {
    const reply = await ask('ops', 'diagnose -n payments');

    const titles = reply.message.sections.map((s) => s.title ?? '');
    expect(reply.message.headline).toMatch(/killed for running out of memory/);
    expect(reply.message.text).toMatch(/^Cause: .*\nConfidence: certain — /);
    expect(reply.message.text).toContain('in namespace payments of cluster sandbox');
    expect(titles.some((t) => /killed for running out of memory/.test(t))).toBe(true);
    expect(reply.message.sections.map((s) => s.code).join('\n')).toContain(
      'OOMKilled, exit code 137',
    );
    const fix = reply.message.sections.find((s) =>
      s.title?.startsWith('Proposed fix (confirm tier)'),
    );
    expect(fix?.code).toContain('+              memory: 384Mi');
    expect(reply.message.footer).toContain('dana asked: diagnose');
  });

  it('answers status with node and namespace health', async () => {
    const reply = await ask('ops', '/coxswain status');

    expect(reply.message.headline).toContain('Cluster sandbox');
    expect(
      reply.message.sections.find((s) => s.title === 'Namespaces with problems')?.code,
    ).toContain('payments: 2 CrashLoopBackOff');
  });

  it('shows a channel bound to some namespaces only those', async () => {
    const status = await ask('shop-team', 'status');
    const elsewhere = await ask('shop-team', 'diagnose -n payments');

    expect(status.message.headline).toBe('Cluster sandbox: healthy');
    expect(JSON.stringify(status.message)).not.toContain('payments');
    expect(elsewhere.message.headline).toBe('I cannot run diagnose here');
    expect(elsewhere.message.text).toContain('not bound to namespace payments');
  });

  it('refuses a workflow in a namespace the channel is not bound to', async () => {
    const refused = await ask('shop-team', 'deploy payments-api -n payments');

    expect(refused.message.headline).toBe('I cannot run workflow deploy-app here');
    expect(refused.message.text).toContain('not bound to namespace payments (bound: shop)');
  });

  it('keeps a node diagnosis in a namespace-bound channel to its namespaces', async () => {
    const reply = await ask('shop-team', 'diagnose node/sandbox-worker');

    expect(reply.message.headline).toContain('node sandbox-worker');
    expect(JSON.stringify(reply.message)).not.toContain('payments');
  });

  it('answers only help in a channel without a binding, saying what is missing', async () => {
    const refused = await ask('random', 'diagnose -n payments');
    const help = await ask('random', 'help');

    expect(refused.message.headline).toBe('I cannot run diagnose here');
    expect(refused.message.text).toContain('this channel (web:random) has no binding');
    expect(help.message.headline).toBe('Coxswain commands');
    expect(help.message.text).toContain('diagnose [KIND/NAME]');
    expect(help.message.text).toContain('no binding yet');
  });

  it('explains a command it cannot read', async () => {
    const reply = await ask('ops', 'diagnose service/payments');

    expect(reply.message.headline).toContain('I could not read that');
    expect(reply.message.headline).toContain('is not KIND/NAME');
  });

  it('reports an object that does not exist', async () => {
    const reply = await ask('ops', 'diagnose deployment/nope -n payments');

    expect(reply.message.headline).toBe('deployment nope not found in namespace payments');
  });

  it('proposes a rollback with its dry-run diff and changes nothing', async () => {
    const reply = await ask('ops', 'rollback orders-api -n orders');

    expect(reply.message.headline).toMatch(
      /^Proposed: roll back deployment orders\/orders-api from revision 2 to revision 1/,
    );
    expect(reply.message.text).toContain('Nothing has been changed');
    expect(reply.message.sections[0]?.code).toContain('orders-api:1.4.0');
  });

  it('runs deploy as the deploy-app workflow, and names the workflows when one is unknown', async () => {
    const unknown = await ask('ops', 'workflow nope');
    const missing = await ask('ops', 'workflow deploy-app');
    const deployed = await ask('ops', 'deploy orders-api -n orders', 'dana', (e) =>
      /Answered by the analyzers/.test(e.message.text ?? ''),
    );

    expect(unknown.message.headline).toBe('There is no workflow named nope');
    expect(unknown.message.text).toContain('deploy-app');
    expect(missing.message.text).toBe('workflow deploy-app needs app=…');
    expect(deployed.message.text).toContain('namespace orders');
  });

  it('runs the command behind a button as the person who clicked', async () => {
    const status = await ask('ops', 'status');
    const index = status.message.buttons.findIndex((b) => b.value === 'diagnose -n payments');
    expect(index).toBeGreaterThanOrEqual(0);
    const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
    streams.push(stream);

    const clicked = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: status.id, button: index, author: 'sam' }),
    });
    const forged = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: status.id, button: 4, author: 'sam' }),
    });

    expect(clicked.status).toBe(202);
    expect(forged.status).toBe(404);
    const answer = await stream.next(
      (e) =>
        e.event === 'message' &&
        ((JSON.parse(e.data) as Entry).message.footer ?? '').startsWith('sam asked: diagnose'),
      20_000,
    );
    expect((JSON.parse(answer.data) as Entry).message.text).toContain(
      'in namespace payments of cluster sandbox',
    );
  });
});
