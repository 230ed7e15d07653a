import { fill } from './format.ts';
import type { RelayMessages } from './messages.ts';
import { pluralForm } from './plural.ts';

// The same normalisation as core's normalizeClaimType (the API spells `age_over18_germany`, the schema
// `age_over_18_germany`); repeated here because i18n is a leaf and imports nothing.
function normalize(claimType: string): string {
  return claimType.trim().toLowerCase().replace(/^age_over(\d+)_/, 'age_over_$1_');
}

/** `some_new_thing` → `Some new thing`: readable, and never the raw id. */
export function humanizeId(id: string): string {
  const words = id.trim().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words === '' ? id : words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The label people see for a claim type, in the messages' language. Order: the locale's `claimTypes`
 * entry, then `ageLabel` for `age_over_{age}_{qualifier}` (the qualifier named by `claimQualifiers`, else
 * its words as written: `age_over_25_mars` → "Age 25+ (mars)"; the plural form by `messages.locale`), then the id's words.
 */
export function claimLabel(
  claimType: string,
  messages: Pick<RelayMessages, 'claimTypes' | 'ageLabel' | 'claimQualifiers'> & { readonly locale?: string },
): string {
  const id = normalize(claimType);
  const known = messages.claimTypes[id] ?? messages.claimTypes[claimType];
  if (known !== undefined) return known;
  const age = /^age_over_(\d+)_(.+)$/.exec(id);
  if (age?.[1] && age[2]) {
    const qualifier = messages.claimQualifiers[age[2]] ?? age[2].replace(/_+/g, ' ');
    return fill(pluralForm(messages.ageLabel, Number(age[1]), messages.locale), { age: age[1], qualifier });
  }
  return humanizeId(claimType);
}

/** The label of a verification method Persona reports, in the messages' language; unknown ones by their words. */
export function methodLabel(method: string, messages: Pick<RelayMessages, 'methods'>): string {
  return messages.methods[method] ?? humanizeId(method);
}
