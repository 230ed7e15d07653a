/** Every string the default views show; pass a partial object to `messages` to change some of them. */
export interface RelayMessages {
  /** The language of these strings (BCP 47, e.g. `de`); Persona's widget is given it as `language`. */
  locale: string;
  start: string;
  creating: string;
  inquiryTitle: string;
  verifying: string;
  passedHeading: string;
  failedHeading: string;
  canceledHeading: string;
  expiredHeading: string;
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
  /** Labels of the methods Persona reports; unknown methods are shown by their raw name. */
  methods: Record<string, string>;
  /** Labels of claim types; unknown types are shown by their raw name. */
  claimTypes: Record<string, string>;
}

/** English, the default. `{claim}` is replaced by the claim type's label. */
export const en: RelayMessages = {
  locale: 'en',
  start: 'Verify: {claim}',
  creating: 'Preparing the verification…',
  inquiryTitle: 'Identity verification: {claim}',
  verifying: 'Checking your result…',
  passedHeading: 'Verified: {claim}',
  failedHeading: 'Not verified: {claim}',
  canceledHeading: 'Verification canceled',
  expiredHeading: 'Verification expired',
  errorHeading: 'The verification could not finish',
  errorBody: 'Please try again. If it keeps failing, contact support and quote the reference below.',
  requestIdLabel: 'Reference',
  tryAgain: 'Try again',
  cancel: 'Cancel verification',
  methodologyHeading: 'How it was checked',
  methodologyHidden: 'Methodology not shared for this claim.',
  methodPassed: 'passed',
  methodFailed: 'failed',
  announce: {
    idle: 'Verification not started.',
    creating: 'Preparing the verification.',
    inquiry: 'Verification page open.',
    verifying: 'Checking your result.',
    passed: 'Verification passed.',
    failed: 'Verification did not pass.',
    canceled: 'Verification canceled.',
    expired: 'Verification expired.',
    error: 'The verification could not finish.',
  },
  methods: {
    facial_age_estimation: 'Facial age estimation',
    document_selfie: 'Document and selfie',
    live_selfie: 'Live selfie',
  },
  claimTypes: {
    live_human_presence: 'a live human is present',
    age_over_18_germany: 'age 18+ (Germany)',
    age_over_18_united_kingdom: 'age 18+ (United Kingdom)',
    age_over_18_france: 'age 18+ (France)',
    age_over_18_italy: 'age 18+ (Italy)',
    age_over_18_australia: 'age 18+ (Australia)',
    age_over_16_australia: 'age 16+ (Australia)',
    age_over_18_brazil: 'age 18+ (Brazil)',
    age_over_18_verified: 'age 18+ (document)',
    age_over_21_verified: 'age 21+ (document)',
    age_over_13_verified: 'age 13+ (document)',
    age_over_18_estimated: 'age 18+ (estimated)',
    age_over_13_estimated: 'age 13+ (estimated)',
  },
};

/** German, complete. */
export const de: RelayMessages = {
  locale: 'de',
  start: 'Prüfen: {claim}',
  creating: 'Die Prüfung wird vorbereitet …',
  inquiryTitle: 'Identitätsprüfung: {claim}',
  verifying: 'Ihr Ergebnis wird geprüft …',
  passedHeading: 'Bestätigt: {claim}',
  failedHeading: 'Nicht bestätigt: {claim}',
  canceledHeading: 'Prüfung abgebrochen',
  expiredHeading: 'Prüfung abgelaufen',
  errorHeading: 'Die Prüfung konnte nicht abgeschlossen werden',
  errorBody: 'Bitte versuchen Sie es erneut. Wenn es weiterhin fehlschlägt, wenden Sie sich an den Support und nennen Sie die folgende Referenz.',
  requestIdLabel: 'Referenz',
  tryAgain: 'Erneut versuchen',
  cancel: 'Prüfung abbrechen',
  methodologyHeading: 'So wurde geprüft',
  methodologyHidden: 'Die Methodik wird für diesen Nachweis nicht mitgeteilt.',
  methodPassed: 'bestanden',
  methodFailed: 'nicht bestanden',
  announce: {
    idle: 'Prüfung nicht gestartet.',
    creating: 'Die Prüfung wird vorbereitet.',
    inquiry: 'Prüfseite geöffnet.',
    verifying: 'Ihr Ergebnis wird geprüft.',
    passed: 'Prüfung bestanden.',
    failed: 'Prüfung nicht bestanden.',
    canceled: 'Prüfung abgebrochen.',
    expired: 'Prüfung abgelaufen.',
    error: 'Die Prüfung konnte nicht abgeschlossen werden.',
  },
  methods: {
    facial_age_estimation: 'Altersschätzung per Gesicht',
    document_selfie: 'Ausweis und Selfie',
    live_selfie: 'Live-Selfie',
  },
  claimTypes: {
    live_human_presence: 'ein lebender Mensch ist anwesend',
    age_over_18_germany: 'Alter 18+ (Deutschland)',
    age_over_18_united_kingdom: 'Alter 18+ (Vereinigtes Königreich)',
    age_over_18_france: 'Alter 18+ (Frankreich)',
    age_over_18_italy: 'Alter 18+ (Italien)',
    age_over_18_australia: 'Alter 18+ (Australien)',
    age_over_16_australia: 'Alter 16+ (Australien)',
    age_over_18_brazil: 'Alter 18+ (Brasilien)',
    age_over_18_verified: 'Alter 18+ (Ausweis)',
    age_over_21_verified: 'Alter 21+ (Ausweis)',
    age_over_13_verified: 'Alter 13+ (Ausweis)',
    age_over_18_estimated: 'Alter 18+ (geschätzt)',
    age_over_13_estimated: 'Alter 13+ (geschätzt)',
  },
};

/** The built-in locales. */
export const locales = { en, de } as const;

/** `messages` merged over English, one level deep for the tables. */
export function mergeMessages(base: RelayMessages, override?: Partial<RelayMessages>): RelayMessages {
  if (!override) return base;
  return {
    ...base,
    ...override,
    announce: { ...base.announce, ...override.announce },
    methods: { ...base.methods, ...override.methods },
    claimTypes: { ...base.claimTypes, ...override.claimTypes },
  };
}
