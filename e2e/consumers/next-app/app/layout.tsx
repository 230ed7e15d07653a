import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import 'relay-claim-kit/styles.css';

export const metadata: Metadata = { title: 'Next.js consumer', icons: { icon: 'data:,' } };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
