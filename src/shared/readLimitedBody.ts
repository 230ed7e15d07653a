/**
 * A request body of at most `limit` bytes, or undefined when it is larger: a declared length over the
 * limit is refused unread, and a streamed body is cancelled as soon as it passes the limit.
 * @throws whatever reading the body throws, e.g. `BodyTimeoutError` past the read deadline.
 */
export async function readLimitedBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  if (Number(request.headers.get('content-length') ?? '0') > limit) {
    // Not read at all: the server adapter closes the connection rather than keep the rest unread.
    await request.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
