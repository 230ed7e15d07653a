'use client';

import { useState } from 'react';
import { RelayVerification } from 'relay-claim-kit';
import { AppRelayProvider } from '../relay-provider';

/** A client wrapper: where callbacks such as onResult live. */
export function Verification({ expectedIssuer }: { expectedIssuer: string }) {
  const [result, setResult] = useState<string>();
  return (
    <AppRelayProvider expectedIssuer={expectedIssuer}>
      <RelayVerification claimType="age_over_18_germany" onResult={(claim) => setResult(claim.claimResult)} />
      {result ? <p data-testid="app-result">App saw: {result}</p> : null}
    </AppRelayProvider>
  );
}
