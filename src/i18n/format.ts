/** Fills `{claim}` in a message; other braces are left alone so translators can use them freely. */
export function format(message: string, claim: string): string {
  return message.replaceAll('{claim}', claim);
}
