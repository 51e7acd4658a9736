import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeApprovalConfig } from '../support/config-file.ts';
import { useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';

/**
 * A question whose answer proposed a fix goes on once the fix is decided: here approved on the
 * loopback console, applied, and the question answered again, now that the pods run.
 */
const sandbox = useSandbox(['oom-crashloop']);
let app: TestApp;
/** The card rejected by the first test: the second one waits for a card of its own. */
let rejectedCard = '';

beforeAll(async () => {
  const config = writeApprovalConfig({
    cluster: 'sandbox',
    kubeconfig: sandbox.kubeconfig,
    channel: 'web:ops',
    approvers: ['web:sre'],
  });
  app = await startTestApp({ COXSWAIN_CONFIG: config }, 'all', { trustLocalNames: true });
}, 60_000);

afterAll(() => app.stop());

type Entry = {
  id: string;
  bot: boolean;
  message: { headline?: string; text?: string; buttons: { action: string }[] };
};

/** Dana asks in #ops why payments is crashlooping; the channel's messages are followed from then. */
async function askInOps() {
  const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
  const entries = (pattern: (e: Entry) => boolean, timeoutMs: number) =>
    stream
      .next((e) => e.event === 'message' && pattern(JSON.parse(e.data) as Entry), timeoutMs)
      .then((e) => JSON.parse(e.data) as Entry);
  await fetch(`${app.baseUrl}/api/channels/ops/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: '@coxswain why is payments crashlooping?', author: 'dana' }),
  });
  return { stream, entries };
}

/** The approver web:sre clicks a card's button (0: Approve, 1: Reject). */
function click(entry: string, button: number) {
  return fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entry, button, author: 'sre' }),
  });
}

it('answers again after a rejection without offering the rejected fix again', async () => {
  const { stream, entries } = await askInOps();
  try {
    const card = await entries(
      (e) => e.bot && e.message.buttons.some((b) => b.action === 'reject'),
      20_000,
    );

    const rejected = await click(card.id, 1);

    expect(rejected.status).toBe(202);
    const followUp = await entries(
      (e) => e.bot && (e.message.text ?? '').includes('Not proposed again'),
      60_000,
    );
    expect(followUp.message.text).toContain(
      'Not proposed again, since it was just rejected: set memory limit 256Mi → 384Mi',
    );
    rejectedCard = card.id;
    expect(followUp.message.text).not.toContain('Next steps (proposed');
  } finally {
    await stream.close();
  }
}, 90_000);

it('answers the question again after its proposal was approved and applied', async () => {
  const { stream, entries } = await askInOps();
  try {
    const card = await entries(
      (e) =>
        e.bot && e.id !== rejectedCard && e.message.buttons.some((b) => b.action === 'approve'),
      20_000,
    );

    const approved = await click(card.id, 0);

    expect(approved.status).toBe(202);
    const followUp = await entries(
      (e) =>
        e.bot && (e.message.headline ?? '').startsWith('No problems found in namespace payments'),
      60_000,
    );
    expect(followUp.message.text).toContain('Answered by the analyzers');
  } finally {
    await stream.close();
  }
}, 90_000);
