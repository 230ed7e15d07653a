import { de } from './locales/de.ts';
import { en } from './locales/en.ts';
import { es } from './locales/es.ts';
import { fr } from './locales/fr.ts';
import { it } from './locales/it.ts';
import { ptBR } from './locales/pt-BR.ts';
import type { RelayMessages } from './messages.ts';

/** The built-in locales, keyed by the BCP 47 tag Persona's widget takes as `language`. */
// Marked pure so that an app importing only English does not ship the other five.
export const locales = /* @__PURE__ */ Object.freeze({ en, de, fr, it, 'pt-BR': ptBR, es }) satisfies Readonly<Record<string, RelayMessages>>;

/** A built-in locale's tag. */
export type RelayLocale = keyof typeof locales;

/**
 * The built-in locale closest to a BCP 47 tag (`de-AT` → German, `pt` → Brazilian Portuguese), else English.
 * @example <RelayProvider messages={localeFor(navigator.language)} … />
 */
export function localeFor(tag: string): RelayMessages {
  const wanted = tag.trim().toLowerCase();
  const tags = Object.keys(locales) as RelayLocale[];
  const exact = tags.find((known) => known.toLowerCase() === wanted);
  const language = wanted.split(/[-_]/)[0];
  const sameLanguage = tags.find((known) => known.toLowerCase().split('-')[0] === language);
  return locales[exact ?? sameLanguage ?? 'en'];
}
