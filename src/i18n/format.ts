/** Fills `{claim}` in a message; other braces are left alone so translators can use them freely. */
export function format(message: string, claim: string): string {
  return fill(message, { claim });
}

/** Fills each `{name}` in a message whose name is in `values`; unknown placeholders stay as written. */
export function fill(message: string, values: Readonly<Record<string, string>>): string {
  return message.replace(/\{(\w+)\}/g, (placeholder, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? placeholder) : placeholder));
}
