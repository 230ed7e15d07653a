import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchRelayRoute, relayRoutePath, relayRoutes, type RelaySessionRouteName } from './routes.ts';

const sessionRoutes = Object.keys(relayRoutes).filter((name) => name !== 'createSession') as RelaySessionRouteName[];

describe('relay routes (DESIGN.md "server")', () => {
  it('encodes the route table: method, success status and path', () => {
    expect(relayRoutePath('createSession')).toBe('/sessions');
    expect(relayRoutePath('getSession', 'abc')).toBe('/sessions/abc');
    expect(Object.fromEntries(sessionRoutes.map((name) => [name, `${relayRoutes[name].method} ${relayRoutePath(name, 'id')} → ${String(relayRoutes[name].status)}`]))).toEqual({
      getSession: 'GET /sessions/id → 200',
      challenge: 'POST /sessions/id/challenge → 200',
      issue: 'POST /sessions/id/issue → 200',
      submitToken: 'POST /sessions/id/token → 204',
      redeem: 'POST /sessions/id/redeem → 202',
      cancel: 'POST /sessions/id/cancel → 204',
    });
    expect(relayRoutes.createSession).toMatchObject({ method: 'POST', status: 201 });
  });

  it('matches every path it builds back to the same route and session id, whatever the id holds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sessionRoutes), fc.string({ minLength: 1, maxLength: 40 }), (name, sessionId) => {
        expect(matchRelayRoute(relayRoutePath(name, sessionId))).toEqual({ name, sessionId });
      }),
    );
    expect(matchRelayRoute('/sessions')).toEqual({ name: 'createSession' });
  });

  it('keeps an id from climbing out of /sessions/', () => {
    expect(relayRoutePath('redeem', '../../admin')).toBe('/sessions/..%2F..%2Fadmin/redeem');
    expect(matchRelayRoute(relayRoutePath('redeem', '../../admin'))).toEqual({ name: 'redeem', sessionId: '../../admin' });
  });

  it('names no route for other paths (404), and never throws', () => {
    for (const path of ['/', '', '/session', '/sessions/a/b/c', '/sessions/a/unknown', '/sessions/%E0%A4%A/issue', '/sessions//issue', '/other/a']) {
      expect(matchRelayRoute(path)).toBeUndefined();
    }
    fc.assert(fc.property(fc.string(), (path) => { matchRelayRoute(path); }));
  });
});
