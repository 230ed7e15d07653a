/** Response key casings Persona offers through the `Key-Inflection` header. */
export type KeyInflection = 'kebab' | 'camel' | 'snake';

/** Parses the header; undefined for an unknown value (the caller answers 400). */
export function parseKeyInflection(value: string | null): KeyInflection | undefined {
  if (value === null || value === '') return 'kebab';
  const v = value.trim().toLowerCase();
  return v === 'kebab' || v === 'camel' || v === 'snake' ? v : undefined;
}

/** Renames a kebab-case key to the requested casing. */
export function inflectKey(key: string, inflection: KeyInflection): string {
  if (inflection === 'kebab') return key;
  if (inflection === 'snake') return key.replaceAll('-', '_');
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Renames the top-level keys of a response body. */
export function inflectKeys(body: Record<string, unknown>, inflection: KeyInflection): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [inflectKey(k, inflection), v]));
}

/** Reads a request field given in any casing (`claim-type`, `claimType`, `claim_type`). */
export function readField(body: Record<string, unknown>, kebabKey: string): unknown {
  for (const inflection of ['kebab', 'camel', 'snake'] as const) {
    const key = inflectKey(kebabKey, inflection);
    if (Object.hasOwn(body, key)) return body[key];
  }
  return undefined;
}
