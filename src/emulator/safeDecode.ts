/** decodeURIComponent that answers '' for malformed escapes (`%`, `%zz`), so a bad path is a 404, not a 500. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
