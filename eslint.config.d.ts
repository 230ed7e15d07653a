import type { Linter } from 'eslint';

/** The import-boundary rule of DESIGN.md's layers (test/lint-boundaries.test.ts runs it). */
export declare const layerBoundaries: Linter.Config;
declare const config: Linter.Config[];
export default config;
