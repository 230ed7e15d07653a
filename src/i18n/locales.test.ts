import { describe, expect, it } from 'vitest';
import { claimTypes as knownClaimTypes, methodLabels } from '../core/claims.ts';
import { claimLabel, methodLabel } from './claimLabel.ts';
import { locales, localeFor } from './locales.ts';
import type { RelayMessages } from './messages.ts';
import { pluralForm, type PluralMessage } from './plural.ts';

// A message with plural forms (only `ageLabel` today) is one message, whatever forms its language needs.
const isMessage = (key: string, value: unknown) => typeof value === 'string' || key === 'ageLabel';
const forms = (value: PluralMessage): string[] => (typeof value === 'string' ? [value] : Object.values(value));

// The structure every locale must fill: English's keys, table by table.
function shape(messages: RelayMessages): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(messages).map(([key, value]) => [key, isMessage(key, value) ? [] : Object.keys(value as object).sort()]),
  );
}

const tags = Object.keys(locales) as (keyof typeof locales)[];

describe('locales', () => {
  it('are the six languages of Persona’s claim-type countries, keyed by their widget language tag', () => {
    expect(tags.sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'pt-BR']);
    for (const tag of tags) expect(locales[tag].locale).toBe(tag);
  });

  it.each(tags)('%s has every key and every table entry English has, none empty, none left in English', (tag) => {
    const messages: RelayMessages = locales[tag];
    expect(shape(messages)).toEqual(shape(locales.en));
    const strings = Object.values(messages).flatMap((value: PluralMessage | Record<string, string>) => Object.values(typeof value === 'string' ? [value] : value));
    for (const text of strings) expect(text.trim()).not.toBe('');
    if (tag === 'en') return;
    // A key copied from English instead of translated; proper names that are spelt the same are allowed.
    const sameAsEnglish = ['Australia', 'France', 'Italia', 'Reino Unido', 'Brasil'];
    for (const key of ['passedHeading', 'failedHeading', 'errorBody', 'cancel', 'tryAgain', 'methodologyHidden', 'ageLabel'] as const) {
      expect(messages[key], key).not.toBe(locales.en[key]);
    }
    for (const [name, label] of Object.entries(messages.claimQualifiers)) {
      if (!sameAsEnglish.includes(label)) expect(label, name).not.toBe(locales.en.claimQualifiers[name as keyof typeof locales.en.claimQualifiers]);
    }
  });

  it.each(tags)('%s keeps the placeholders of each English message', (tag) => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, english] of Object.entries(locales.en)) {
      if (!isMessage(key, english) || key === 'locale' || key === 'languageName') continue;
      for (const form of forms(locales[tag][key as keyof RelayMessages] as PluralMessage)) {
        expect(placeholders(form), key).toEqual(placeholders(forms(english as PluralMessage)[0] ?? ''));
      }
    }
  });

  it('localeFor picks the closest built-in locale, English otherwise', () => {
    expect(localeFor('de-AT').locale).toBe('de');
    expect(localeFor('pt').locale).toBe('pt-BR');
    expect(localeFor('PT_br').locale).toBe('pt-BR');
    expect(localeFor('es-MX').locale).toBe('es');
    expect(localeFor('ja').locale).toBe('en');
    expect(localeFor('').locale).toBe('en');
  });
});

describe('claimLabel', () => {
  it.each(tags)('%s labels every claim type the kit knows, in both spellings, through its own tables', (tag) => {
    const messages = locales[tag];
    for (const id of Object.keys(knownClaimTypes)) {
      const label = claimLabel(id, messages);
      expect(label).not.toMatch(/_/);
      expect(claimLabel(id.replace(/^age_over_(\d+)_/, 'age_over$1_'), messages)).toBe(label);
      const qualifier = /^age_over_\d+_(.+)$/.exec(id)?.[1];
      // Known types never fall back to the id's own words.
      if (qualifier) expect(messages.claimQualifiers).toHaveProperty(qualifier);
      else expect(messages.claimTypes).toHaveProperty(id);
    }
  });

  it('fills the locale’s age pattern', () => {
    expect(claimLabel('age_over_18_germany', locales.en)).toBe('Age 18+ (Germany)');
    expect(claimLabel('age_over18_germany', locales.de)).toBe('Ab 18 Jahren (Deutschland)');
    expect(claimLabel('age_over_21_verified', locales.fr)).toBe('21\u00a0ans et plus (pièce d’identité)');
    expect(claimLabel('age_over_16_australia', locales['pt-BR'])).toBe('16 anos ou mais (Austrália)');
  });

  it('agrees the age’s noun with the count through Intl.PluralRules (the only message that takes a count)', () => {
    expect(claimLabel('age_over_1_mars', locales.de)).toBe('Ab 1 Jahr (mars)');
    expect(claimLabel('age_over_2_mars', locales.de)).toBe('Ab 2 Jahren (mars)');
    expect(claimLabel('age_over_1_mars', locales.es)).toBe('1 año o más (mars)');
    expect(claimLabel('age_over_1_mars', locales.it)).toBe('Almeno 1 anno (mars)');
    expect(claimLabel('age_over_1_mars', locales['pt-BR'])).toBe('1 ano ou mais (mars)');
    // French counts 0 as singular, English and German do not.
    expect(claimLabel('age_over_0_mars', locales.fr)).toBe('0\u00a0an et plus (mars)');
    expect(claimLabel('age_over_0_mars', locales.de)).toBe('Ab 0 Jahren (mars)');
    expect(claimLabel('age_over_1_mars', locales.en)).toBe('Age 1+ (mars)');
  });

  it('gives an unknown type a readable label from its id, never the raw id', () => {
    expect(claimLabel('age_over_25_mars', locales.en)).toBe('Age 25+ (mars)');
    expect(claimLabel('age_over_25_south_mars', locales.es)).toBe('25 años o más (south mars)');
    expect(claimLabel('verified_human_presence', locales.en)).toBe('Verified human presence');
    expect(claimLabel('  ', locales.en)).toBe('  ');
  });

  it('lets the app override a label, and an override wins over the pattern', () => {
    const messages = { ...locales.en, claimTypes: { ...locales.en.claimTypes, age_over_18_germany: 'Adult (DE)' } };
    expect(claimLabel('age_over18_germany', messages)).toBe('Adult (DE)');
  });
});

describe('pluralForm', () => {
  const years = { one: '{n} year', other: '{n} years' } as const;

  it('picks the CLDR category of the count, and `other` when the language has no such form', () => {
    expect(pluralForm(years, 1, 'en')).toBe('{n} year');
    expect(pluralForm(years, 0, 'en')).toBe('{n} years');
    expect(pluralForm(years, 0, 'fr')).toBe('{n} year');
    // Polish 5 is `many`, which this message does not give.
    expect(pluralForm(years, 5, 'pl')).toBe('{n} years');
    expect(pluralForm({ ...years, many: '{n} lat' }, 5, 'pl')).toBe('{n} lat');
    expect(pluralForm('same for all', 1, 'en')).toBe('same for all');
  });

  it('falls back to `other` for no locale or one the runtime cannot read, without throwing', () => {
    expect(pluralForm(years, 1, undefined)).toBe('{n} years');
    expect(pluralForm(years, 1, 'not a locale!')).toBe('{n} years');
    expect(() => new Intl.PluralRules('not a locale!')).toThrow(RangeError);
  });
});

describe('methodLabel', () => {
  it.each(tags)('%s labels every method the kit knows', (tag) => {
    for (const method of Object.keys(methodLabels)) expect(locales[tag].methods).toHaveProperty(method);
  });

  it('names an unknown method by its words', () => {
    expect(methodLabel('voice_match', locales.de)).toBe('Voice match');
    expect(methodLabel('document_selfie', locales.it)).toBe('Documento e selfie');
  });
});
