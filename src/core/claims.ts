import { RelayProtocolError } from './errors.ts';
import type { MethodologyCalculation, RelayClaim } from './types.ts';

/** What the kit knows about a claim type: a label for people, and whether Persona hides its methodology. */
export interface ClaimTypeInfo {
  label: string;
  hidesMethodology?: boolean;
}

/**
 * Claim types Persona documents, keyed by the schema's spelling (`age_over_18_germany`). Not a closed
 * set: Persona adds types without a versioned update, and unknown ones pass through untouched.
 */
export const claimTypes: Readonly<Record<string, ClaimTypeInfo>> = {
  live_human_presence: { label: 'A live human is present' },
  age_over_18_germany: { label: 'Age 18+ (Germany)' },
  age_over_18_united_kingdom: { label: 'Age 18+ (United Kingdom)' },
  age_over_18_france: { label: 'Age 18+ (France)', hidesMethodology: true },
  age_over_18_italy: { label: 'Age 18+ (Italy)', hidesMethodology: true },
  age_over_18_australia: { label: 'Age 18+ (Australia)' },
  age_over_16_australia: { label: 'Age 16+ (Australia)' },
  age_over_18_brazil: { label: 'Age 18+ (Brazil)' },
  age_over_18_verified: { label: 'Age 18+ (document)' },
  age_over_21_verified: { label: 'Age 21+ (document)' },
  age_over_13_verified: { label: 'Age 13+ (document)' },
  age_over_18_estimated: { label: 'Age 18+ (estimated)' },
  age_over_13_estimated: { label: 'Age 13+ (estimated)' },
};

/** Labels for the verification methods Persona reports; other methods are shown by their raw name. */
export const methodLabels: Readonly<Record<string, string>> = {
  facial_age_estimation: 'Facial age estimation',
  document_selfie: 'Document and selfie',
  live_selfie: 'Live selfie',
};

/**
 * One spelling for both of Persona's: the API says `age_over18_germany`, the schema `age_over_18_germany`.
 * Use it to compare and look up; send the original on the wire.
 */
export function normalizeClaimType(claimType: string): string {
  return claimType.trim().toLowerCase().replace(/^age_over(\d+)_/, 'age_over_$1_');
}

/** What the kit knows about `claimType` (either spelling), or undefined for a type it has not met. */
export function claimTypeInfo(claimType: string): ClaimTypeInfo | undefined {
  return claimTypes[normalizeClaimType(claimType)];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isResult = (value: unknown): value is 'passed' | 'failed' => value === 'passed' || value === 'failed';

function fail(detail: string): never {
  throw new RelayProtocolError({ title: 'Malformed claim payload', detail, code: 'bad-claim-payload' });
}

/**
 * Validates Persona's claim payload `{claim_type, claim_result, methodology?}` (a JSON string or the
 * parsed value) into a `RelayClaim`; throws `RelayProtocolError` for anything else.
 */
export function parseClaimPayload(json: unknown): RelayClaim {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch {
      fail('not JSON');
    }
  }
  if (!isRecord(value)) fail('not an object');
  const { claim_type: claimType, claim_result: claimResult, methodology } = value;
  if (typeof claimType !== 'string' || claimType === '') fail('claim_type is missing');
  if (!isResult(claimResult)) fail('claim_result is neither passed nor failed');
  if (methodology === undefined || methodology === null) return { claimType, claimResult };
  if (!Array.isArray(methodology)) fail('methodology is not a list');
  const steps: MethodologyCalculation[] = methodology.map((step: unknown) => {
    if (!isRecord(step) || typeof step.method !== 'string' || !isResult(step.result)) fail('methodology step');
    return { method: step.method, result: step.result };
  });
  return { claimType, claimResult, methodology: steps };
}
