import { describe, expect, it } from 'vitest';
import { matchRoute, type Route } from './router.ts';

const handler = () => ({ status: 200 });
const routes: Route[] = [
  { method: 'GET', path: '/', handler },
  { method: 'GET', path: '/api/channels', handler },
  { method: 'POST', path: '/api/channels/:channel/messages', handler },
];

describe('matchRoute', () => {
  it('matches literal paths and HEAD as GET', () => {
    expect(matchRoute(routes, 'GET', '/api/channels')).toMatchObject({ route: routes[1] });
    expect(matchRoute(routes, 'HEAD', '/')).toMatchObject({ route: routes[0] });
  });

  it('decodes parameters', () => {
    expect(matchRoute(routes, 'POST', '/api/channels/on%2Dcall/messages')).toMatchObject({
      params: { channel: 'on-call' },
    });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(matchRoute(routes, 'DELETE', '/api/channels')).toEqual({ allowed: ['GET'] });
    expect(matchRoute(routes, 'GET', '/nope')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/api/channels//messages')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/api/channels/%E0%A4%A/messages')).toBeUndefined();
  });
});
