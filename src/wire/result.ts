/** What a wire validator found: the typed value, or what was wrong (safe to show: it quotes no input). */
export type WireResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** True for plain JSON objects. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A successful validation. */
export const valid = <T>(value: T): WireResult<T> => ({ ok: true, value });

/** A failed validation; `problem` names the field, never its value. */
export const invalid = <T>(problem: string): WireResult<T> => ({ ok: false, problem });
