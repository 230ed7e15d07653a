/**
 * A message with one form per CLDR plural category of its language (`one`, `few`, `many`, `other`, …);
 * `other` is required because CLDR falls back to it. A plain string is the same text for every count.
 */
export type PluralMessage = string | (Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string });

/**
 * The form of `message` for `count` in `locale`, chosen by `Intl.PluralRules` (so French `0`/`1` are
 * singular, English `0` is plural). A locale the runtime cannot read gets the `other` form, not a throw.
 * @example pluralForm({ one: 'Ab {age} Jahr', other: 'Ab {age} Jahren' }, 18, 'de') // 'Ab {age} Jahren'
 */
export function pluralForm(message: PluralMessage, count: number, locale: string | undefined): string {
  if (typeof message === 'string') return message;
  if (locale === undefined) return message.other;
  try {
    return message[new Intl.PluralRules(locale).select(count)] ?? message.other;
  } catch {
    return message.other;
  }
}
