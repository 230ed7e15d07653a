/** The smallest DER reader and writer the issuer keys need: definite lengths, no indefinite forms. */

/** One DER element: its tag, and where its contents and the element end inside the input. */
export interface DerElement {
  tag: number;
  contents: Uint8Array;
  end: number;
}

/** Reads the element starting at `offset`; throws RangeError on truncated or malformed input. */
export function readDer(bytes: Uint8Array, offset = 0): DerElement {
  const tag = bytes[offset];
  let lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new RangeError('der: truncated header');
  let cursor = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new RangeError('der: unsupported length form');
    length = 0;
    for (let i = 0; i < count; i += 1) {
      lengthByte = bytes[cursor + i];
      if (lengthByte === undefined) throw new RangeError('der: truncated length');
      length = length * 256 + lengthByte;
    }
    cursor += count;
  }
  const end = cursor + length;
  if (end > bytes.length) throw new RangeError('der: truncated contents');
  return { tag, contents: bytes.subarray(cursor, end), end };
}

/** Encodes one element from its tag and contents. */
export function writeDer(tag: number, contents: Uint8Array): Uint8Array {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(contents, header.length);
  return out;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
