import { describe, expect, it } from 'vitest';
import { HttpError, errorResponse, readJsonObject } from './http.ts';

const limit = 64 * 1024;

/** A request whose body arrives in chunks with no Content-Length, as a chunked upload would. */
function streamed(chunks: string[]): Request {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Request('http://app.test/api/relay/sessions', { method: 'POST', body, duplex: 'half' } as RequestInit);
}

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('readJsonObject', () => {
  it('reads a JSON object and treats an empty body as {}', async () => {
    expect(await readJsonObject(new Request('http://app.test/', { method: 'POST', body: '{"claimType":"x"}' }), limit)).toEqual({ claimType: 'x' });
    expect(await readJsonObject(new Request('http://app.test/', { method: 'POST', body: '' }), limit)).toEqual({});
    expect(await readJsonObject(new Request('http://app.test/', { method: 'POST' }), limit)).toEqual({});
  });

  it('answers 413 on a declared length over the limit, before reading', async () => {
    const request = new Request('http://app.test/', { method: 'POST', body: '{}', headers: { 'content-length': String(limit + 1) } });
    expect(await statusOf(readJsonObject(request, limit))).toBe(413);
  });

  it('answers 413 on a chunked body that grows past the limit, and stops reading it', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    expect(await statusOf(readJsonObject(streamed(['{"a":"', chunk, chunk, chunk, chunk, '"}']), limit))).toBe(413);
    expect(await readJsonObject(streamed(['{"a":', '1}']), limit)).toEqual({ a: 1 });
  });

  it('answers 400 for anything but a JSON object', async () => {
    for (const body of ['nope', '[1]', '"text"', '42', 'null', '{"a":']) {
      expect(await statusOf(readJsonObject(new Request('http://app.test/', { method: 'POST', body }), limit)), body).toBe(400);
    }
  });
});

describe('errorResponse', () => {
  it('writes the Persona error shape with the status as a string and the Request-Id twice', async () => {
    const response = errorResponse(new HttpError(502, 'Bad Gateway', 'upstream said no', 'req_123', { 'retry-after': '1' }));
    expect(response.status).toBe(502);
    expect(response.headers.get('request-id')).toBe('req_123');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ errors: [{ status: '502', title: 'Bad Gateway', detail: 'upstream said no', requestId: 'req_123' }] });
  });

  it('leaves out what it does not have', async () => {
    const response = errorResponse(new HttpError(404, 'Not Found'));
    expect(response.headers.get('request-id')).toBeNull();
    expect(await response.json()).toEqual({ errors: [{ status: '404', title: 'Not Found' }] });
  });
});
