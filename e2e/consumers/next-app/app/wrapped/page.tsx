import { emulatorIssuer } from '../../lib/issuer';
import { Verification } from './verification';

export const dynamic = 'force-dynamic';

export default function Page() {
  return (
    <main>
      <h1>Next.js consumer (client wrapper)</h1>
      <Verification expectedIssuer={emulatorIssuer()} />
    </main>
  );
}
