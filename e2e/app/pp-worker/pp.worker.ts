import vectors from '../../../test/vectors/rfc9578-type2-issuance.json';
import { beginIssuance, bytesToHex, hexToBytes, verifyToken } from '../../../src/privacy-pass/index.ts';

const scope = self as unknown as { postMessage(message: unknown): void };
const inWorker = typeof (globalThis as { document?: unknown }).document === 'undefined';

async function run(): Promise<void> {
  const v = vectors[0]!;
  const pending = await beginIssuance({
    challenge: hexToBytes(v.token_challenge),
    tokenKey: hexToBytes(v.pkS),
    nonce: hexToBytes(v.nonce),
    salt: hexToBytes(v.salt),
    blind: hexToBytes(v.blind),
  });
  const token = await pending.finalize(hexToBytes(v.token_response));
  scope.postMessage({ token: bytesToHex(token), verified: await verifyToken(token, hexToBytes(v.pkS)), inWorker });
}

run().catch((error: unknown) => { scope.postMessage({ error: String(error), inWorker }); });
