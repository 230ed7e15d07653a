import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RelayApiError, RelayProtocolError } from '../core/errors.ts';
import { base64urlDecode, base64urlEncode, decodeTokenChallenge, encodeTokenChallenge, verifyToken } from '../privacy-pass/index.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { obtainToken } from './obtainToken.ts';

// The real handler and emulator, reached through a proxy that can rewrite an answer the way a
// compromised or confused backend would; every check of obtainToken must catch its rewrite.
type Tamper = (route: 'challenge' | 'issue', body: Record<string, string>) => Record<string, string>;

let stack: RelayStack;
let proxy: Server;
let proxyBase: string;
let tamper: Tamper | undefined;
let seen: string[] = [];

beforeAll(async () => {
  stack = await startRelayStack();
  const upstream = new URL(stack.baseUrl).origin;
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        seen.push(`${req.method ?? ''} ${path}`);
        const answer = await fetch(`${upstream}${path}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
        });
        let text = await answer.text();
        const route = path.endsWith('/challenge') ? 'challenge' : path.endsWith('/issue') ? 'issue' : undefined;
        if (answer.ok && route && tamper) text = JSON.stringify(tamper(route, JSON.parse(text) as Record<string, string>));
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyBase = `http://127.0.0.1:${String((proxy.address() as AddressInfo).port)}/api/relay`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => { resolve(); }));
  await stack.close();
});

beforeEach(() => {
  tamper = undefined;
  seen = [];
});

async function newSession(): Promise<string> {
  const answer = await fetch(`${stack.baseUrl}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claimType: 'age_over_18_germany' }) });
  return ((await answer.json()) as { sessionId: string }).sessionId;
}

async function realIssuer(): Promise<string> {
  const answer = await fetch(`${stack.baseUrl}/sessions/${await newSession()}/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { challenge } = (await answer.json()) as { challenge: string };
  return decodeTokenChallenge(base64urlDecode(challenge)).issuerName;
}

const issued = (): number => seen.filter((line) => line.endsWith('/issue')).length;

describe('obtainToken against the real handler and emulator', () => {
  it('returns a token that verifies under the key the challenge named', async () => {
    let tokenKey = '';
    tamper = (route, body) => {
      if (route === 'challenge') tokenKey = body.tokenKey ?? '';
      return body;
    };
    const token = await obtainToken({ baseUrl: proxyBase, sessionId: await newSession() });
    expect(await verifyToken(base64urlDecode(token), base64urlDecode(tokenKey))).toBe(true);
    expect(seen.map((line) => line.replace(/sessions\/[^/]+/, 'sessions/:id'))).toEqual(['POST /api/relay/sessions/:id/challenge', 'POST /api/relay/sessions/:id/issue']);
  });

  it('refuses a token-key-id that is not the SHA-256 of the key, before asking for a signature', async () => {
    tamper = (route, body) => (route === 'challenge' ? { ...body, tokenKeyId: '00'.repeat(32) } : body);
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession() })).rejects.toMatchObject({ name: 'RelayProtocolError', code: 'key-id-mismatch' });
    expect(issued()).toBe(0);
  });

  it('refuses a challenge of another token type', async () => {
    tamper = (route, body) => {
      if (route !== 'challenge') return body;
      const bytes = base64urlDecode(body.challenge ?? '');
      bytes[1] = 0x01;
      return { ...body, challenge: base64urlEncode(bytes) };
    };
    const error = await obtainToken({ baseUrl: proxyBase, sessionId: await newSession() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect(issued()).toBe(0);
  });

  it('checks the issuer name when one is expected', async () => {
    const issuerName = await realIssuer();
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession(), expectedIssuer: 'issuer.example' })).rejects.toMatchObject({ code: 'bad-challenge' });
    expect(issued()).toBe(0);
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession(), expectedIssuer: issuerName })).resolves.toMatch(/^[\w-]+$/);
  });

  it('refuses a challenge re-encoded for another issuer, though the key id still matches', async () => {
    const issuerName = await realIssuer();
    tamper = (route, body) => {
      if (route !== 'challenge') return body;
      const challenge = decodeTokenChallenge(base64urlDecode(body.challenge ?? ''));
      return { ...body, challenge: base64urlEncode(encodeTokenChallenge({ ...challenge, issuerName: 'evil.example' })) };
    };
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession(), expectedIssuer: issuerName })).rejects.toMatchObject({ code: 'bad-challenge' });
    expect(issued()).toBe(0);
  });

  it('refuses a blind signature that does not verify', async () => {
    tamper = (route, body) => {
      if (route !== 'issue') return body;
      const bytes = base64urlDecode(body.tokenResponse ?? '');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      return { tokenResponse: base64urlEncode(bytes) };
    };
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession() })).rejects.toBeInstanceOf(RelayProtocolError);
  });

  it('refuses materials that are not base64url', async () => {
    tamper = (route, body) => (route === 'challenge' ? { ...body, tokenKey: '***' } : body);
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession() })).rejects.toMatchObject({ code: 'bad-challenge' });
    tamper = (route, body) => (route === 'issue' ? { tokenResponse: 'not base64url!' } : body);
    await expect(obtainToken({ baseUrl: proxyBase, sessionId: await newSession() })).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('passes the backend error through with its status (issue cap → 429)', async () => {
    const sessionId = await newSession();
    for (let i = 0; i < 3; i += 1) await obtainToken({ baseUrl: stack.baseUrl, sessionId });
    const error = await obtainToken({ baseUrl: stack.baseUrl, sessionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayApiError);
    expect(error).toMatchObject({ status: 429 });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = obtainToken({ baseUrl: stack.baseUrl, sessionId: await newSession(), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
