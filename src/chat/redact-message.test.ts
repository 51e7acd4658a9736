import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_SHAPES } from '../../test/support/adversarial-text.ts';
import { MAX_REDACTED_CHARS } from '../policy/redact.ts';
import { REDACTED } from '../policy/redacted.ts';
import { ChatMessage, type ChatMessageInput } from './message.ts';
import { redactMessage } from './redact-message.ts';

describe('redactMessage', () => {
  it('redacts every text a person reads', () => {
    const message: ChatMessageInput = {
      headline: 'Pod crashed: DB_PASSWORD=Winter2026! in its args',
      text: 'Log line: Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
      fields: [
        { label: 'API token', value: 'plain-token-value-7' },
        { label: 'Reason', value: 'mysql -uroot -pS3cretPass failed' },
      ],
      sections: [
        {
          title: 'config password: title-secret-1',
          text: 'Set-Cookie: sid=cookie-secret-2; Path=/',
          code: 'data:\n  client_secret: |\n    block-secret-3\n    block-secret-4\n',
          fields: [{ label: 'session', value: 'session-secret-5' }],
          links: [{ label: 'token=label-secret-6', url: 'https://grafana.example.com/d/abc' }],
        },
      ],
      links: [{ label: 'leaky', url: 'https://admin:url-secret-8@grafana.example.com/' }],
      footer: 'run with --db-password footer-secret-9',
    };

    const out = JSON.stringify(redactMessage(message));

    for (const secret of [
      'Winter2026!',
      'abcdefghijklmnopqrstuvwxyz012345',
      'plain-token-value-7',
      'S3cretPass',
      'title-secret-1',
      'cookie-secret-2',
      'block-secret-3',
      'block-secret-4',
      'session-secret-5',
      'label-secret-6',
      'url-secret-8',
      'footer-secret-9',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out).toContain('https://grafana.example.com/d/abc');
  });

  it('leaves a card the product needs exact: ids, commands, links, pod names, digests', () => {
    const card: ChatMessageInput = {
      headline: 'Approve? Raise memory of tokenizer-7d9f-abc12 to 512Mi',
      tone: 'warning',
      fields: [
        { label: 'Where', value: 'cluster prod, namespace ml' },
        { label: 'Asked by', value: 'slack:U0123ABCD' },
      ],
      sections: [
        {
          title: 'Dry-run diff (API server)',
          code: [
            '  image: ghcr.io/acme/tokenizer@sha256:9b2a4f6d8c0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a',
            '- memory: 256Mi',
            '+ memory: 512Mi',
            '  data.DB_PASSWORD: (unset) → [redacted; changed]',
          ].join('\n'),
          links: [
            {
              label: 'Proposal',
              url: 'http://127.0.0.1:8080/dashboard/proposals/pA1b2C3d4E5f6G7h8',
            },
          ],
        },
      ],
      buttons: [
        { action: 'approve', label: 'Approve', value: 'pA1b2C3d4E5f6G7h8', style: 'primary' },
        { action: 'reject', label: 'Reject', value: 'pA1b2C3d4E5f6G7h8', style: 'danger' },
        { action: 'command', label: 'Diagnose', value: 'diagnose pod/keycloak-0 -n auth' },
      ],
      footer:
        'proposal pA1b2C3d4E5f6G7h8 · k8s-diagnostician · commit 4e1f9a2c7b3d5e8f0a1b2c3d4e5f6a7b8c9d0e1f',
    };

    expect(redactMessage(card)).toEqual(ChatMessage.parse(card));
  });

  it('drops a command button or link that redaction would break, and fits the limits again', () => {
    const message: ChatMessageInput = {
      headline: `${'x'.repeat(290)} pwd=a`,
      buttons: [{ action: 'command', label: 'Run', value: 'diagnose --token abc -n x' }],
      links: [{ label: 'Source', url: 'https://prometheus.example.com/graph?token=abc123' }],
    };

    const out = redactMessage(message);

    expect(out.buttons).toEqual([]);
    expect(out.links).toEqual([]);
    expect(out.headline?.length).toBeLessThanOrEqual(300);
    expect(out.headline).not.toContain('pwd=a');
  });

  it('is idempotent', () => {
    const message: ChatMessageInput = {
      text: 'password: "a b c" token=abc Cookie: a=b; c=d\nsecret:\n  - one\n  - two',
    };

    const once = redactMessage(message);

    expect(redactMessage(once)).toEqual(once);
  });
});

/** A safety net against work that grows with the square of the input, not a benchmark. */
describe.each(Object.entries(ADVERSARIAL_SHAPES))('on a megabyte of %s', (_name, make) => {
  it('redacts a message in bounded time and sends one that fits', () => {
    const piece = make(MAX_REDACTED_CHARS);
    const message: ChatMessageInput = {
      headline: piece,
      text: piece,
      sections: [{ code: piece, fields: [{ label: 'Log', value: piece }] }],
    };

    const started = performance.now();
    const out = redactMessage(message);
    const ms = performance.now() - started;

    expect(ms).toBeLessThan(3_000);
    expect(ChatMessage.safeParse(out).success).toBe(true);
  });
});
