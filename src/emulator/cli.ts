#!/usr/bin/env node
/**
 * `relay-emulator [--port 4010] [--host 127.0.0.1] [--api-key KEY] [--key-bits 2048] [--control]
 * [--base-path /persona] [--public-url URL] [--frame-ancestor ORIGIN]…`
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './startEmulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
    'key-bits': { type: 'string' },
    control: { type: 'boolean', default: false },
    'base-path': { type: 'string' },
    'public-url': { type: 'string' },
    'frame-ancestor': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('relay-emulator [--port 4010] [--host 127.0.0.1] [--api-key KEY] [--key-bits 2048|4096] [--control] [--base-path /persona] [--public-url URL] [--frame-ancestor ORIGIN]');
  process.exit(0);
}

const emulator = await startEmulator({
  port: Number(values.port),
  host: values.host,
  control: values.control,
  ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
  ...(values['key-bits'] === undefined ? {} : { keyBits: Number(values['key-bits']) }),
  ...(values['base-path'] === undefined ? {} : { basePath: values['base-path'] }),
  ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] }),
  ...(values['frame-ancestor'] === undefined ? {} : { frameAncestors: values['frame-ancestor'] }),
});
// The API key is the caller's own; it is not echoed so it never lands in CI logs.
console.log(`Persona Relay emulator on ${emulator.url} (API at ${emulator.url}/api/v1${values.control ? ', control at /__emulator/' : ''})`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
