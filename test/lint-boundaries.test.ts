import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerBoundaries } from '../eslint.config.js';

// The import-boundary rule exactly as eslint.config.js defines it, run through ESLint's Node API on
// source text placed at a path inside src/: a wrong-way import must be an error, a right-way one clean.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } }, layerBoundaries],
});

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('layer boundaries (DESIGN.md)', () => {
  it.each([
    ['src/worker/probe.ts', "import { RelayFlow } from '../core/RelayFlow.ts';", 'worker → core'],
    ['src/react/probe.ts', "import { RelayVerification } from '../ui/RelayVerification.tsx';", 'react → ui'],
    ['src/wire/probe.ts', "import { beginIssuance } from '../privacy-pass/index.ts';", 'wire is a leaf'],
    ['src/i18n/probe.ts', "import { claimTypes } from '../core/claims.ts';", 'i18n is a leaf'],
    ['src/privacy-pass/probe.ts', "import { requestJson } from '../wire/request.ts';", 'privacy-pass does no I/O'],
    ['src/server/probe.ts', "import { RelayFlow } from '../core/RelayFlow.ts';", 'server → core beyond claims'],
    ['src/emulator/probe.ts', "import { createRelayHandler } from '../server/index.ts';", 'emulator → server'],
    ['src/core/probe.ts', "import { startRelayStack } from '../../test/support/relayStack.ts';", 'src → test support'],
    ['src/probe.ts', "import { obtainToken } from './worker/obtainToken.ts';", 'the React entry → worker'],
  ])('refuses %s: %s (%s)', async (filePath, source) => {
    const errors = await boundaryErrors(filePath, `${source}\nexport {};\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no policy allowing dependencies/);
  });

  it.each([
    ['src/worker/probe.ts', "import { createRelayClient } from '../wire/client.ts';\nimport { beginIssuance } from '../privacy-pass/index.ts';"],
    ['src/core/probe.ts', "import { createDefaultTokenSource } from '../worker/tokenSource.ts';\nimport { RelayError } from '../wire/errors.ts';"],
    ['src/react/probe.ts', "import { RelayFlow } from '../core/RelayFlow.ts';\nimport { format } from '../i18n/format.ts';"],
    ['src/ui/probe.ts', "import { useRelayClaim } from '../react/useRelayClaim.ts';\nimport { en } from '../i18n/messages.ts';"],
    ['src/server/probe.ts', "import { parseClaimPayload } from '../core/claims.ts';\nimport { parseIssueBody } from '../wire/bodies.ts';"],
    ['src/emulator/probe.ts', "import { verifyPersonaToken } from '../privacy-pass/index.ts';\nimport { relayRoutes } from '../wire/routes.ts';"],
    ['src/emulator/probe.ts', "import { claimLabel } from '../i18n/claimLabel.ts';"],
    ['src/core/probe.test.ts', "import { startRelayStack } from '../../test/support/relayStack.ts';"],
  ])('allows %s', async (filePath, source) => {
    expect(await boundaryErrors(filePath, `${source}\nexport {};\n`)).toEqual([]);
  });
});
