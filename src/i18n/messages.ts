import type { PluralMessage } from './plural.ts';

/** Every string the default views show; pass a whole locale or a partial object to `messages`. */
export interface RelayMessages {
  /** The language of these strings (BCP 47, e.g. `de`); Persona's widget is given it as `language`. */
  locale: string;
  /** The language's own name, for a language picker (`Deutsch`). */
  languageName: string;
  start: string;
  creating: string;
  inquiryTitle: string;
  verifying: string;
  passedHeading: string;
  /** Under the passed heading: what the site learned, and what it did not. */
  passedBody: string;
  failedHeading: string;
  failedBody: string;
  canceledHeading: string;
  canceledBody: string;
  expiredHeading: string;
  expiredBody: string;
  errorHeading: string;
  errorBody: string;
  /** Shown before the Request-Id support can look up. */
  requestIdLabel: string;
  tryAgain: string;
  cancel: string;
  methodologyHeading: string;
  methodologyHidden: string;
  methodPassed: string;
  methodFailed: string;
  /** Announced to screen readers on each state. */
  announce: Record<'idle' | 'creating' | 'inquiry' | 'verifying' | 'passed' | 'failed' | 'canceled' | 'expired' | 'error', string>;
  /** Labels of the methods Persona reports; unknown methods get a label made from their name. */
  methods: Record<string, string>;
  /** Labels of claim types that follow no pattern (`live_human_presence`), or overrides of the pattern's. */
  claimTypes: Record<string, string>;
  /**
   * Label of `age_over_{age}_{qualifier}` types; `{age}` and `{qualifier}` are filled in. The only message
   * that takes a count (years): one form per plural category where the noun agrees (`Ab 1 Jahr`, `Ab 18 Jahren`).
   */
  ageLabel: PluralMessage;
  /** Names of the last part of an age claim type: countries (`germany`) and evidence (`verified`, `estimated`). */
  claimQualifiers: Record<string, string>;
}

/** `override` merged over `base`, one level deep for the tables. */
export function mergeMessages(base: RelayMessages, override?: Partial<RelayMessages>): RelayMessages {
  if (!override) return base;
  return {
    ...base,
    ...override,
    announce: { ...base.announce, ...override.announce },
    methods: { ...base.methods, ...override.methods },
    claimTypes: { ...base.claimTypes, ...override.claimTypes },
    claimQualifiers: { ...base.claimQualifiers, ...override.claimQualifiers },
  };
}

export { en } from './locales/en.ts';
export { de } from './locales/de.ts';
export { fr } from './locales/fr.ts';
export { it } from './locales/it.ts';
export { ptBR } from './locales/pt-BR.ts';
export { es } from './locales/es.ts';
export { locales, localeFor, type RelayLocale } from './locales.ts';
