import { isBodyTimeout } from '../shared/bodyTimeoutError.ts';
import { readLimitedBody } from '../shared/readLimitedBody.ts';
import { EmulatorApiError } from './apiError.ts';

/** Largest request body the API reads; a TokenRequest for 4096-bit keys is 515 bytes, a PEM key ~800. */
export const maxBodyBytes = 64 * 1024;

/** Reads the body up to `maxBodyBytes`, stopping (413) as soon as it is over, before buffering the rest; 408 past the read deadline. */
export async function readBody(req: Request): Promise<Uint8Array> {
  const body = await readLimitedBody(req, maxBodyBytes).catch((error: unknown) => {
    if (isBodyTimeout(error)) throw new EmulatorApiError(408, 'The request body did not arrive in time.');
    throw error;
  });
  if (body === undefined) throw new EmulatorApiError(413, `Request body is over ${maxBodyBytes} bytes.`);
  return body;
}

/** Reads a JSON object body; 400 for malformed JSON or anything but an object. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const bytes = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new EmulatorApiError(400, 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EmulatorApiError(400, 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
