import { describe, expect, it } from 'vitest';
import { createRelay, startEmulatorPerTest } from '../../test/support/emulatorApi.ts';
import { locales } from '../i18n/locales.ts';
import { pageLocaleFor, pageStrings, type PageStringKey } from './pageStrings.ts';

const start = startEmulatorPerTest();

/** The page for a fresh relay of `claimType`, asked for in `language` (or with no language at all). */
async function pageIn(url: string, claimType: string, language?: string): Promise<{ status: number; html: string }> {
  const relay = await createRelay(url, claimType);
  const query = new URLSearchParams({ 'relay-session-access-token': relay.sessionToken, ...(language === undefined ? {} : { language }) });
  const res = await fetch(`${url}/relay?${query}`);
  return { status: res.status, html: await res.text() };
}

const keys: PageStringKey[] = [
  'title', 'heading', 'intro', 'outcome', 'pass', 'fail', 'method', 'finish',
  'doneHeading', 'doneBody', 'errorHeading', 'errorBody', 'expiredBody',
];

describe('hosted inquiry page language', () => {
  it('speaks German for de and de-AT: lang, heading, labels, claim and method names from the kit’s German locale', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    for (const language of ['de', 'de-AT']) {
      const { status, html } = await pageIn(url, 'age_over_18_germany', language);
      expect(status).toBe(200);
      expect(html).toContain('<html lang="de">');
      expect(html).toContain(`data-language="${language}"`);
      expect(html).toContain('<title>Persona-Relay-Emulator – Prüfung</title>');
      expect(html).toContain('<h1 tabindex="-1">Prüfung: Ab 18 Jahren (Deutschland)</h1>');
      expect(html).toContain('<legend>Ergebnis</legend>');
      expect(html).toContain('value="passed" checked> Bestanden</label>');
      expect(html).toContain('value="failed"> Nicht bestanden</label>');
      expect(html).toContain('<label for="method">Prüfmethode</label>');
      expect(html).toContain('<option value="document_selfie">Ausweis und Selfie</option>');
      expect(html).toContain('<button type="submit">Prüfung abschließen</button>');
      expect(html).toContain('data-passed="Prüfung bestanden." data-failed="Prüfung nicht bestanden."');
      expect(html).not.toMatch(/Verify|Finish verification|Outcome|>\s*Pass<|Document and selfie/);
    }
  });

  it('speaks Brazilian Portuguese for pt-BR, with lang="pt-BR"', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const { html } = await pageIn(url, 'age_over_18_brazil', 'pt-BR');
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain('<h1 tabindex="-1">Verificação: 18 anos ou mais (Brasil)</h1>');
    expect(html).toContain('<option value="facial_age_estimation">Estimativa de idade pelo rosto</option>');
    expect(html).toContain('<button type="submit">Concluir verificação</button>');
  });

  it('falls back to English for an unknown language or none', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    for (const language of ['xx', undefined]) {
      const { html } = await pageIn(url, 'age_over_18_germany', language);
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('<title>Persona Relay emulator — verification</title>');
      expect(html).toContain('<h1 tabindex="-1">Verify: Age 18+ (Germany)</h1>');
      expect(html).toContain('value="passed" checked> Pass</label>');
      expect(html).toContain('<option value="document_selfie">Document and selfie</option>');
      expect(html).toContain('<button type="submit">Finish verification</button>');
    }
  });

  it('shows the error and expired screens in the page’s language', async () => {
    const emulator = await start({ protocol: 'rfc9578' });
    const bad = await (await fetch(`${emulator.url}/relay?relay-session-access-token=not.a.jwt&language=fr`)).text();
    expect(bad).toContain('<html lang="fr">');
    expect(bad).toContain('<h1 tabindex="-1">Vérification indisponible</h1><p role="alert">Ce lien de vérification n’est pas valide.</p>');
    const relay = await createRelay(emulator.url, 'age_over_18_germany');
    emulator.control.advanceClock(31 * 60);
    const expired = await (await fetch(`${emulator.url}/relay?relay-session-access-token=${encodeURIComponent(relay.sessionToken)}&language=es-MX`)).text();
    expect(expired).toContain('<html lang="es">');
    expect(expired).toContain('<section id="expired-screen" data-screen><h1 tabindex="-1">Verificación caducada</h1><p role="alert">Este enlace de verificación ha caducado.');
  });

  it('keeps the message to the developer’s onError in English', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const script = await (await fetch(`${url}/relay/inquiry.js`)).text();
    expect(script).toContain("message: 'The inquiry could not be recorded.'");
    expect(script).not.toContain('Verification passed.');
  });
});

describe('pageStrings', () => {
  it('has a page for each of the kit’s locales, every key filled, and {claim} in every heading', () => {
    expect(Object.keys(pageStrings).sort()).toEqual(Object.keys(locales).sort());
    for (const [locale, strings] of Object.entries(pageStrings)) {
      expect(Object.keys(strings).sort(), locale).toEqual([...keys].sort());
      for (const key of keys) expect(strings[key].trim(), `${locale}.${key}`).not.toBe('');
      expect(strings.heading, locale).toContain('{claim}');
    }
  });

  it('picks the locale as the kit does: region falls back to the language, unknown to English', () => {
    expect(pageLocaleFor('de-AT').strings).toBe(pageStrings.de);
    expect(pageLocaleFor('pt').messages.locale).toBe('pt-BR');
    expect(pageLocaleFor('xx').strings).toBe(pageStrings.en);
    expect(pageLocaleFor(undefined).messages).toBe(locales.en);
  });
});
