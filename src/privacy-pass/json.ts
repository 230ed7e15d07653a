// Go's json.Marshal writes a json.RawMessage compacted, with these characters escaped inside strings
// (encoding/json appendCompact with escapeHTML), so the challenge Persona's Go SDK echoes into a
// token reads this way (PROTOCOL.md §4.4).
const goEscapes: Readonly<Record<string, string>> = Object.freeze({
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
});

/** `text` (valid JSON) without whitespace between tokens and with Go's HTML escapes, as json.Marshal echoes a RawMessage. */
export function goCompactJson(text: string): string {
  // What servers send is usually compact already: then there is nothing to change.
  if (!/[\s<>&\u2028\u2029]/.test(text)) return text;
  let out = '';
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      out += goEscapes[char] ?? char;
    } else {
      if (char === '"') inString = true;
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') out += char;
    }
  }
  return out;
}

/** A JSON string literal as Go's json.Marshal writes it (JSON.stringify plus the HTML escapes). */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => goEscapes[char] ?? char);
}

/**
 * The raw text of the last top-level member `name` of `text`, a JSON object already validated by
 * JSON.parse, so the value can be kept byte for byte (JSON.parse would reorder and re-escape it).
 */
export function memberText(text: string, name: string): string | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let key: unknown;
  let valueStart = -1;
  let found: string | undefined;
  const close = (end: number): void => {
    if (valueStart >= 0 && key === name) found = text.slice(valueStart, end).trim();
    valueStart = -1;
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') {
        inString = false;
        // A string at depth 1 before its colon is a member name.
        if (depth === 1 && valueStart < 0) key = JSON.parse(text.slice(stringStart, i + 1));
      }
    } else if (char === '"') {
      inString = true;
      stringStart = i;
    } else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      if (depth === 1) close(i);
      depth -= 1;
    } else if (depth === 1 && char === ':') valueStart = i + 1;
    else if (depth === 1 && char === ',') close(i);
  }
  return found;
}
