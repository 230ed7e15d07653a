import { describe, expect, it } from 'vitest';
import { bindRequest, bindingCookieName, sameSubject, type RequestBinding } from './binding.ts';

const at = (url: string, headers: Record<string, string> = {}): Request => new Request(url, { headers });

function cookiePair(binding: RequestBinding): string {
  const pair = binding.setCookie?.split(';')[0];
  if (!pair) throw new Error('no cookie was minted');
  return pair;
}

async function bound(request: Request, mint: boolean): Promise<RequestBinding | undefined> {
  const binding = await bindRequest(request, { mint });
  if (binding instanceof Response) throw new Error('no authorize was given, so no Response');
  return binding;
}

describe('bindRequest with authorize', () => {
  it("takes the app's subject, and passes its Response through untouched", async () => {
    const authorize = (request: Request) => (request.headers.get('x-user') ? { subject: `user:${request.headers.get('x-user') ?? ''}` } : new Response('login first', { status: 401 }));
    expect(await bindRequest(at('http://app.test/', { 'x-user': 'ada' }), { authorize, mint: true })).toEqual({ subject: 'user:ada' });
    const refused = await bindRequest(at('http://app.test/'), { authorize, mint: true });
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(401);
  });

  it('refuses an authorize that returns no usable subject', async () => {
    for (const answer of [{ subject: '' }, { subject: 42 }, {}, null, { subject: 'x'.repeat(513) }]) {
      await expect(bindRequest(at('http://app.test/'), { authorize: () => answer as never, mint: true })).rejects.toThrow(TypeError);
    }
  });
});

describe('bindRequest without authorize (the browser binding cookie)', () => {
  it('mints an HttpOnly, SameSite=Strict cookie over http, and knows the browser by it afterwards', async () => {
    const first = await bound(at('http://127.0.0.1:5173/api/relay/sessions'), true);
    if (!first) throw new Error('expected a binding');
    const attributes = first.setCookie?.split('; ') ?? [];
    expect(attributes[0]).toMatch(new RegExp(`^${bindingCookieName}=[A-Za-z0-9_-]{43}$`));
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(attributes).not.toContain('Secure');
    const again = await bound(at('http://127.0.0.1:5173/api/relay/sessions/x', { cookie: `other=1; ${cookiePair(first)}` }), false);
    expect(again).toEqual({ subject: first.subject });
    // The subject is a hash: a store that leaks it leaks no cookie.
    expect(first.subject).not.toContain(cookiePair(first).split('=')[1]);
  });

  it('uses a __Host- cookie with Secure over https, and ignores the plain name there', async () => {
    const first = await bound(at('https://app.test/api/relay/sessions'), true);
    expect(first?.setCookie).toMatch(/^__Host-relay-claim=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Strict; Secure$/);
    const value = first ? cookiePair(first).split('=')[1] ?? '' : '';
    // A cookie without the prefix could have been planted by a sibling subdomain or over http.
    expect(await bound(at('https://app.test/x', { cookie: `${bindingCookieName}=${value}` }), false)).toBeUndefined();
    expect((await bound(at('https://app.test/x', { cookie: `__Host-${bindingCookieName}=${value}` }), false))?.subject).toBe(first?.subject);
  });

  it('gives a browser without a (valid) cookie no subject on routes that do not create', async () => {
    expect(await bound(at('http://app.test/x'), false)).toBeUndefined();
    expect(await bound(at('http://app.test/x', { cookie: `${bindingCookieName}=short` }), false)).toBeUndefined();
    const minted = await bound(at('http://app.test/x', { cookie: `${bindingCookieName}=short` }), true);
    expect(minted?.setCookie).toBeDefined();
  });

  it('makes a different subject for every browser', async () => {
    const subjects = new Set<string>();
    for (let i = 0; i < 20; i += 1) subjects.add((await bound(at('http://app.test/'), true))?.subject ?? '');
    expect(subjects.size).toBe(20);
  });
});

describe('sameSubject', () => {
  it('matches equal subjects only, and never a session that has no owner', () => {
    expect(sameSubject('user:ada', 'user:ada')).toBe(true);
    expect(sameSubject('user:ada', 'user:adb')).toBe(false);
    expect(sameSubject('user:ada', 'user:ada ')).toBe(false);
    expect(sameSubject(undefined, 'user:ada')).toBe(false);
  });
});
