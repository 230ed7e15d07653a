/** Median and p95 of a sample, in its own unit. */
export function summarize(samples: number[]): { median: number; p95: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95), n: sorted.length };
}

/** A number with `digits` decimals, for the tables. */
export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
