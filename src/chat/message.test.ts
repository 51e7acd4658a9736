import { describe, expect, it } from 'vitest';
import { ChatMessage, fitMessage, LIMITS, webHref } from './message.ts';

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

describe('webHref', () => {
  it('keeps an ordinary URL as it is', () => {
    const url =
      'http://prometheus.monitoring.svc:9090/graph?g0.expr=max_over_time%28kube%29+%3E%3D+1&g0.tab=1';

    expect(webHref(url)).toBe(url);
  });

  it('encodes what would end a link early in any chat markup', () => {
    expect(webHref('https://x/a><!channel> <https://evil|Approve here')).toBe(
      'https://x/a%3E%3C!channel%3E%20%3Chttps://evil%7CApprove%20here',
    );
    expect(webHref('https://x.example/a(b)[c]')).toBe('https://x.example/a%28b%29%5Bc%5D');
  });

  it('refuses other schemes and hosts no chat can show plainly', () => {
    expect(webHref('javascript:alert(1)')).toBeUndefined();
    expect(webHref('data:text/html,<b>x</b>')).toBeUndefined();
    expect(webHref('https://a(b).example/')).toBeUndefined();
    expect(webHref('not a url')).toBeUndefined();
  });

  it('drops credentials and shows a look-alike host in punycode', () => {
    expect(webHref('https://good.example@evil.example/')).toBe('https://evil.example/');
    expect(webHref('https://ex\u0430mple.com/')).toBe('https://xn--exmple-4nf.com/');
  });
});
