import { describe, expect, it } from 'vitest';
import { ChatMessage, fitMessage, LIMITS } from './message.ts';

describe('fitMessage', () => {
  it('makes any message valid: long strings cut, extra items dropped, bad links removed', () => {
    const huge = 'x'.repeat(10_000);
    const message = fitMessage({
      headline: huge,
      text: huge,
      fields: Array.from({ length: 30 }, (_, i) => ({ label: `${i}${huge}`, value: huge })),
      sections: Array.from({ length: 30 }, () => ({
        title: huge,
        text: huge,
        links: [{ label: 'ok', url: 'https://example.com/' }],
      })),
      links: [
        { label: 'script', url: 'javascript:alert(1)' },
        { label: 'empty', url: '' },
        { label: huge, url: 'http://prometheus:9090/graph' },
      ],
      footer: huge,
    });

    expect(ChatMessage.safeParse(message).success).toBe(true);
    expect(message.headline).toHaveLength(LIMITS.headline);
    expect(message.fields).toHaveLength(LIMITS.fields);
    expect(message.sections).toHaveLength(LIMITS.sections);
    expect(message.links?.map((l) => l.url)).toEqual(['http://prometheus:9090/graph']);
  });

  it('leaves a message that fits as it was', () => {
    const message = {
      headline: 'Firing: KubePodCrashLooping',
      text: 'Pod is crash looping.',
      tone: 'critical' as const,
      fields: [{ label: 'Namespace', value: 'payments' }],
      sections: [],
      links: [{ label: 'Runbook', url: 'https://runbooks.example/crashloop' }],
      buttons: [{ action: 'command' as const, label: 'Diagnose', value: 'diagnose -n payments' }],
    };

    expect(fitMessage(message)).toEqual(message);
  });
});
