#!/usr/bin/env node
/**
 * `relay-emulator [--protocol persona|rfc9578] [--port 4010] [--host 127.0.0.1] [--api-key KEY]
 * [--sandbox-api-key persona_sandbox_…] [--key-bits 2048] [--control] [--base-path /persona]
 * [--public-url URL] [--frame-ancestor ORIGIN]…`
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './startEmulator.ts';

const usage = `relay-emulator — a local Persona Relay

Options:
  --protocol persona|rfc9578  wire profile (default persona: Persona's /api/privacy/v1 relays and
                              /api/v1/privacy-passes; rfc9578: RFC 9577/9578 wire under /api/v1)
  --port 4010                 port (0 = any free port)
  --host 127.0.0.1            address to listen on
  --api-key KEY               accepted Bearer key (default sk_test_emulator)
  --sandbox-api-key KEY       accepted sandbox key, persona_sandbox_… (default persona_sandbox_emulator)
  --key-bits 2048|4096        issuer key size
  --control                   serve the /__emulator/ test control routes
  --base-path /persona        mount prefix
  --public-url URL            external URL (issuer name, page links)
  --frame-ancestor ORIGIN     origin allowed to frame the hosted page (repeatable)
  --help                      this text`;

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'persona' },
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
    'sandbox-api-key': { type: 'string' },
    'key-bits': { type: 'string' },
    control: { type: 'boolean', default: false },
    'base-path': { type: 'string' },
    'public-url': { type: 'string' },
    'frame-ancestor': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const protocol = values.protocol;
if (protocol !== 'persona' && protocol !== 'rfc9578') {
  console.error('--protocol must be persona or rfc9578');
  process.exit(2);
}

const emulator = await startEmulator({
  protocol,
  port: Number(values.port),
  host: values.host,
  control: values.control,
  ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
  ...(values['sandbox-api-key'] === undefined ? {} : { sandboxApiKey: values['sandbox-api-key'] }),
  ...(values['key-bits'] === undefined ? {} : { keyBits: Number(values['key-bits']) }),
  ...(values['base-path'] === undefined ? {} : { basePath: values['base-path'] }),
  ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] }),
  ...(values['frame-ancestor'] === undefined ? {} : { frameAncestors: values['frame-ancestor'] }),
});
// The API key is the caller's own; it is not echoed so it never lands in CI logs.
const apiAt = protocol === 'persona' ? `${emulator.url}/api/privacy/v1/relays and ${emulator.url}/api/v1/privacy-passes` : `${emulator.url}/api/v1`;
console.log(`Persona Relay emulator (${protocol}) on ${emulator.url} (API at ${apiAt}${values.control ? ', control at /__emulator/' : ''})`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
