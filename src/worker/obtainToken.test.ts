import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RelayApiError, RelayProtocolError } from '../wire/errors.ts';
import {
  base64urlDecode,
  base64urlEncode,
  decodePersonaChallenge,
  decodeTokenChallenge,
  encodeTokenChallenge,
  verifyPersonaToken,
  verifyToken,
  type PrivacyPassProtocol,
} from '../privacy-pass/index.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { obtainToken, personaIssuerName, type ObtainTokenOptions } from './obtainToken.ts';

// The real handler and emulator, in each wire profile, reached through a proxy that can rewrite an
// answer the way a compromised or confused backend would; every check of obtainToken must catch its rewrite.
type Tamper = (route: 'challenge' | 'issue', body: Record<string, string>) => Record<string, string>;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A persona challenge with some JSON fields replaced (its mac then no longer matches: the issuer would refuse it). */
function editPersonaChallenge(challenge: string, fields: Record<string, unknown>): string {
  const json = JSON.parse(fromUtf8.decode(base64urlDecode(challenge))) as Record<string, unknown>;
  return base64urlEncode(utf8.encode(JSON.stringify({ ...json, ...fields })));
}

describe.each<PrivacyPassProtocol>(['persona', 'rfc9578'])('obtainToken against the real handler and emulator (%s)', (protocol) => {
  let stack: RelayStack;
  let proxy: Server;
  let proxyBase: string;
  let tamper: Tamper | undefined;
  let seen: string[] = [];
  /** The issuer_name the emulator writes (its own host, not Persona's), read from a real challenge. */
  let emulatorIssuer: string;

  beforeAll(async () => {
    stack = await startRelayStack({ emulator: { protocol }, handler: { protocol } });
    const sessionId = await newSession();
    const answer = await fetch(`${stack.baseUrl}/sessions/${sessionId}/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { challenge } = (await answer.json()) as { challenge: string };
    emulatorIssuer = protocol === 'persona' ? decodePersonaChallenge(challenge).issuerName : decodeTokenChallenge(base64urlDecode(challenge)).issuerName;
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
            headers: { 'content-type': 'application/json', ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}) },
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

  /** What the browser passes: the emulator's issuer for persona (the default is Persona's own). */
  const options = async (extra: Partial<ObtainTokenOptions> = {}): Promise<ObtainTokenOptions> => ({
    baseUrl: proxyBase,
    sessionId: await newSession(),
    ...(protocol === 'persona' ? { expectedIssuer: emulatorIssuer } : {}),
    ...extra,
  });

  const issued = (): number => seen.filter((line) => line.endsWith('/issue')).length;

  it('returns a token that verifies under the key the challenge named', async () => {
    let materials: Record<string, string> = {};
    tamper = (route, body) => {
      if (route === 'challenge') materials = body;
      return body;
    };
    const token = await obtainToken(await options());
    expect(materials.protocol).toBe(protocol);
    const tokenKey = base64urlDecode(materials.tokenKey ?? '');
    if (protocol === 'persona') {
      const fields = await verifyPersonaToken(token, tokenKey);
      expect(fields?.keyId).toBe(materials.tokenKeyId);
      expect(fields?.challenge.mac).toBe(decodePersonaChallenge(materials.challenge ?? '').mac);
    } else {
      expect(await verifyToken(base64urlDecode(token), tokenKey)).toBe(true);
    }
    expect(seen.map((line) => line.replace(/sessions\/[^/]+/, 'sessions/:id'))).toEqual(['POST /api/relay/sessions/:id/challenge', 'POST /api/relay/sessions/:id/issue']);
  });

  it('refuses a token-key-id that is not the SHA-256 of the key, before asking for a signature', async () => {
    tamper = (route, body) => (route === 'challenge' ? { ...body, tokenKeyId: '00'.repeat(32) } : body);
    await expect(obtainToken(await options())).rejects.toMatchObject({ name: 'RelayProtocolError', code: 'key-id-mismatch' });
    expect(issued()).toBe(0);
  });

  it('refuses a challenge of another token type', async () => {
    tamper = (route, body) => {
      if (route !== 'challenge') return body;
      if (protocol === 'persona') return { ...body, challenge: editPersonaChallenge(body.challenge ?? '', { token_type: 1 }) };
      const bytes = base64urlDecode(body.challenge ?? '');
      bytes[1] = 0x01;
      return { ...body, challenge: base64urlEncode(bytes) };
    };
    const error = await obtainToken(await options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect(error).toMatchObject({ code: protocol === 'persona' ? 'unsupported-token-type' : expect.stringMatching(/bad-challenge|unsupported-token-type/) });
    expect(issued()).toBe(0);
  });

  it('checks the issuer name it expects', async () => {
    await expect(obtainToken(await options({ expectedIssuer: 'issuer.example' }))).rejects.toMatchObject({ code: 'unexpected-issuer' });
    expect(issued()).toBe(0);
    await expect(obtainToken(await options({ expectedIssuer: emulatorIssuer }))).resolves.toMatch(/^[\w-]+$/);
  });

  it('refuses a challenge re-encoded for another issuer, though the key id still matches', async () => {
    tamper = (route, body) => {
      if (route !== 'challenge') return body;
      if (protocol === 'persona') return { ...body, challenge: editPersonaChallenge(body.challenge ?? '', { issuer_name: 'evil.example/api/v1/privacy-passes' }) };
      const challenge = decodeTokenChallenge(base64urlDecode(body.challenge ?? ''));
      return { ...body, challenge: base64urlEncode(encodeTokenChallenge({ ...challenge, issuerName: 'evil.example' })) };
    };
    await expect(obtainToken(await options({ expectedIssuer: emulatorIssuer }))).rejects.toMatchObject({ code: 'unexpected-issuer' });
    expect(issued()).toBe(0);
  });

  it('refuses a blind signature that does not verify', async () => {
    tamper = (route, body) => {
      if (route !== 'issue') return body;
      const bytes = base64urlDecode(body.tokenResponse ?? '');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      return { tokenResponse: base64urlEncode(bytes) };
    };
    await expect(obtainToken(await options())).rejects.toMatchObject({ name: 'RelayProtocolError', code: expect.stringMatching(/bad-signature|bad-response/) });
  });

  it('refuses materials that break the wire contract before any crypto', async () => {
    tamper = (route, body) => (route === 'challenge' ? { ...body, tokenKey: '***' } : body);
    await expect(obtainToken(await options())).rejects.toMatchObject({ code: 'bad-backend-response', detail: 'tokenKey is not base64url' });
    tamper = (route, body) => (route === 'challenge' ? { ...body, protocol: 'privacypass-2030' } : body);
    await expect(obtainToken(await options())).rejects.toMatchObject({ code: 'bad-backend-response' });
    tamper = (route, body) => (route === 'issue' ? { tokenResponse: 'not base64url!' } : body);
    await expect(obtainToken(await options())).rejects.toMatchObject({ code: 'bad-backend-response', detail: 'tokenResponse is not base64url' });
  });

  it('passes the backend error through with its status (issue cap → 429)', async () => {
    const base = await options({ baseUrl: stack.baseUrl });
    for (let i = 0; i < 3; i += 1) await obtainToken(base);
    const error = await obtainToken(base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayApiError);
    expect(error).toMatchObject({ status: 429 });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = obtainToken(await options({ baseUrl: stack.baseUrl, signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('obtainToken, persona profile: the issuer it expects by default', () => {
  it("is Persona's own (PROTOCOL.md §3.2), so the emulator's challenge is refused without expectedIssuer", async () => {
    expect(personaIssuerName).toBe('withpersona.com/api/v1/privacy-passes');
    const stack = await startRelayStack({ emulator: { protocol: 'persona' }, handler: { protocol: 'persona' } });
    try {
      const created = await fetch(`${stack.baseUrl}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claimType: 'age_over_18_germany' }) });
      const { sessionId } = (await created.json()) as { sessionId: string };
      await expect(obtainToken({ baseUrl: stack.baseUrl, sessionId })).rejects.toMatchObject({ code: 'unexpected-issuer' });
    } finally {
      await stack.close();
    }
  });
});
