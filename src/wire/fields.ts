import { invalid, isRecord, valid, type WireResult } from './result.ts';

/** What a string field of the wire may hold. */
export interface StringRule {
  /** Longest accepted value, in characters. */
  max: number;
  pattern?: RegExp;
  /** What the pattern means, for the problem text. */
  shape?: string;
}

/** base64url, padded or not (the privacy-pass decoders accept both). */
export const base64urlPattern = /^[A-Za-z0-9_-]+={0,2}$/;

/** Visible ASCII only: ids and tokens that end up in URLs, headers or logs. */
export const printablePattern = /^[\x21-\x7e]+$/;

/** Claim types as Persona names them (`age_over_18_germany`); the server may narrow them further. */
export const claimTypePattern = /^[a-z0-9_]{1,64}$/;

/** A required non-empty string field of a JSON object, checked against `rule`. */
export function readString(body: Record<string, unknown>, key: string, rule: StringRule): WireResult<string> {
  const value = body[key];
  if (typeof value !== 'string' || value === '') return invalid(`${key} is missing`);
  if (value.length > rule.max) return invalid(`${key} is longer than ${String(rule.max)} characters`);
  if (rule.pattern && !rule.pattern.test(value)) return invalid(`${key} is not ${rule.shape ?? 'well-formed'}`);
  return valid(value);
}

/** The named string fields of a JSON object, each required and checked; the first problem wins. */
export function readStrings<K extends string>(body: unknown, rules: Record<K, StringRule>): WireResult<Record<K, string>> {
  if (!isRecord(body)) return invalid('not a JSON object');
  const out = {} as Record<K, string>;
  for (const key of Object.keys(rules) as K[]) {
    const field = readString(body, key, rules[key]);
    if (!field.ok) return field;
    out[key] = field.value;
  }
  return valid(out);
}
