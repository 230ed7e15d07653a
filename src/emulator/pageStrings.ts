/**
 * The hosted inquiry page's own words, in the kit's six locales. They stand in for Persona's page, so they
 * are not part of the kit's `RelayMessages`; where the kit already has the words (claim and method labels,
 * "Verification expired", "Verification passed.") the page takes them from the kit's locale instead, so the
 * page and the kit never name one thing two ways. Terms follow src/i18n/locales (de "Prüfung", es "caducado").
 */
import { localeFor, type RelayLocale } from '../i18n/locales.ts';
import type { RelayMessages } from '../i18n/messages.ts';

/** The page's strings by name; `{claim}` in `heading` is the claim's label. */
export type PageStringKey =
  | 'title'
  | 'heading'
  | 'intro'
  | 'outcome'
  | 'pass'
  | 'fail'
  | 'method'
  | 'finish'
  | 'doneHeading'
  | 'doneBody'
  | 'errorHeading'
  | 'errorBody'
  | 'expiredBody';

/** One locale's page strings: every key, so a missing translation does not compile. */
export type PageStrings = Readonly<Record<PageStringKey, string>>;

/** The page strings of each built-in locale. */
export const pageStrings: Readonly<Record<RelayLocale, PageStrings>> = Object.freeze({
  en: {
    title: 'Persona Relay emulator — verification',
    heading: 'Verify: {claim}',
    intro: 'This is the Persona Relay emulator. Choose how this verification ends.',
    outcome: 'Outcome',
    pass: 'Pass',
    fail: 'Fail',
    method: 'Method',
    finish: 'Finish verification',
    doneHeading: 'Verification finished',
    doneBody: 'Thank you.',
    errorHeading: 'Verification unavailable',
    errorBody: 'This verification link is not valid.',
    expiredBody: 'This verification link has expired. Start again from the site you came from.',
  },
  de: {
    title: 'Persona-Relay-Emulator – Prüfung',
    heading: 'Prüfung: {claim}',
    intro: 'Dies ist der Persona-Relay-Emulator. Legen Sie fest, wie diese Prüfung ausgeht.',
    outcome: 'Ergebnis',
    pass: 'Bestanden',
    fail: 'Nicht bestanden',
    method: 'Prüfmethode',
    finish: 'Prüfung abschließen',
    doneHeading: 'Prüfung abgeschlossen',
    doneBody: 'Vielen Dank.',
    errorHeading: 'Prüfung nicht verfügbar',
    errorBody: 'Dieser Prüflink ist ungültig.',
    expiredBody: 'Dieser Prüflink ist abgelaufen. Bitte beginnen Sie erneut auf der Website, von der Sie gekommen sind.',
  },
  fr: {
    title: 'Émulateur Persona Relay — vérification',
    heading: 'Vérification\u00a0: {claim}',
    intro: 'Ceci est l’émulateur Persona Relay. Choisissez l’issue de cette vérification.',
    outcome: 'Résultat',
    pass: 'Réussite',
    fail: 'Échec',
    method: 'Méthode',
    finish: 'Terminer la vérification',
    doneHeading: 'Vérification terminée',
    doneBody: 'Merci.',
    errorHeading: 'Vérification indisponible',
    errorBody: 'Ce lien de vérification n’est pas valide.',
    expiredBody: 'Ce lien de vérification a expiré. Veuillez recommencer depuis le site d’où vous venez.',
  },
  it: {
    title: 'Emulatore di Persona Relay — verifica',
    heading: 'Verifica: {claim}',
    intro: 'Questo è l’emulatore di Persona Relay. Scelga l’esito di questa verifica.',
    outcome: 'Esito',
    pass: 'Superata',
    fail: 'Non superata',
    method: 'Metodo',
    finish: 'Completa la verifica',
    doneHeading: 'Verifica completata',
    doneBody: 'Grazie.',
    errorHeading: 'Verifica non disponibile',
    errorBody: 'Questo link di verifica non è valido.',
    expiredBody: 'Questo link di verifica è scaduto. La preghiamo di ricominciare dal sito di provenienza.',
  },
  'pt-BR': {
    title: 'Emulador do Persona Relay — verificação',
    heading: 'Verificação: {claim}',
    intro: 'Este é o emulador do Persona Relay. Escolha como esta verificação termina.',
    outcome: 'Resultado',
    pass: 'Aprovada',
    fail: 'Reprovada',
    method: 'Método',
    finish: 'Concluir verificação',
    doneHeading: 'Verificação concluída',
    doneBody: 'Obrigado.',
    errorHeading: 'Verificação indisponível',
    errorBody: 'Este link de verificação não é válido.',
    expiredBody: 'Este link de verificação expirou. Comece de novo no site de onde você veio.',
  },
  es: {
    title: 'Emulador de Persona Relay — verificación',
    heading: 'Verificación: {claim}',
    intro: 'Este es el emulador de Persona Relay. Elija cómo termina esta verificación.',
    outcome: 'Resultado',
    pass: 'Superada',
    fail: 'No superada',
    method: 'Método',
    finish: 'Finalizar verificación',
    doneHeading: 'Verificación finalizada',
    doneBody: 'Gracias.',
    errorHeading: 'Verificación no disponible',
    errorBody: 'Este enlace de verificación no es válido.',
    expiredBody: 'Este enlace de verificación ha caducado. Vuelva a empezar desde el sitio del que procede.',
  },
});

/** The page's language: the kit's messages and the page strings for a widget `language` (`de-AT` → German, unknown or none → English). */
export interface PageLocale {
  messages: RelayMessages;
  strings: PageStrings;
}

function isRelayLocale(tag: string): tag is RelayLocale {
  return Object.hasOwn(pageStrings, tag);
}

/** Picks the page's locale the way the kit picks its own (`localeFor`), so both speak the same language. */
export function pageLocaleFor(language: string | undefined): PageLocale {
  const messages = localeFor(language ?? 'en');
  return { messages, strings: isRelayLocale(messages.locale) ? pageStrings[messages.locale] : pageStrings.en };
}
