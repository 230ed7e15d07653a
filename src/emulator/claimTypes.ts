import type { ClaimTypeConfig } from './options.ts';

const estimationWithFallback = ['facial_age_estimation', 'document_selfie'];

/** Persona's schema page, spelled as it spells them; the API page drops the `_` after `over`. */
const schemaTypes: Record<string, ClaimTypeConfig> = {
  age_over_18_germany: { label: 'Age 18+ for Germany', methods: estimationWithFallback },
  age_over_18_united_kingdom: { label: 'Age 18+ for the UK', methods: estimationWithFallback },
  age_over_18_france: { label: 'Age 18+ for France', methods: estimationWithFallback, hideMethodology: true },
  age_over_18_italy: { label: 'Age 18+ for Italy', methods: estimationWithFallback, hideMethodology: true },
  age_over_18_australia: { label: 'Age 18+ for Australia', methods: estimationWithFallback },
  age_over_16_australia: { label: 'Age 16+ for Australia', methods: estimationWithFallback },
  age_over_18_brazil: { label: 'Age 18+ for Brazil', methods: estimationWithFallback },
  age_over_18_verified: { label: 'Age 18+ (document)', methods: ['document_selfie'] },
  age_over_21_verified: { label: 'Age 21+ (document)', methods: ['document_selfie'] },
  age_over_13_verified: { label: 'Age 13+ (document)', methods: ['document_selfie'] },
  age_over_18_estimated: { label: 'Age 18+ (estimation)', methods: ['facial_age_estimation'] },
  age_over_13_estimated: { label: 'Age 13+ (estimation)', methods: ['facial_age_estimation'] },
  live_human_presence: { label: 'Live human presence', methods: ['live_selfie'] },
};

/** The API reference's spelling of a schema claim type (`age_over_18_x` → `age_over18_x`). */
function apiSpelling(name: string): string {
  return name.replace(/^age_over_(\d+)_/, 'age_over$1_');
}

/** Every claim type of Persona's schema, in both the schema and the API spelling. */
export function defaultClaimTypes(): Record<string, ClaimTypeConfig> {
  const types: Record<string, ClaimTypeConfig> = {};
  for (const [name, config] of Object.entries(schemaTypes)) {
    types[name] = { ...config };
    types[apiSpelling(name)] = { ...config };
  }
  return types;
}

/** Methods a claim type offers when its config names none. */
export const allMethods = ['facial_age_estimation', 'document_selfie', 'live_selfie'];
