import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';

// Proves the matrix run really is React 18: the aliases reach both packages.
describe('React 18 matrix', () => {
  it('runs on React 18.3', () => {
    expect(version).toMatch(/^18\.3\./);
    expect(domVersion).toMatch(/^18\.3\./);
  });
});
