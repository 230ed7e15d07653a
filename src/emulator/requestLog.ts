import type { EmulatorLogEntry } from './options.ts';

/** Headers whose values never enter the log. */
const secretHeaders = new Set(['authorization', 'persona-relay-secret', 'cookie', 'set-cookie', 'proxy-authorization']);

/** Copies request headers for the log, with secret values replaced by `[redacted]`. */
export function redactedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = secretHeaders.has(name) ? '[redacted]' : value;
  return out;
}

/** The bounded request log behind `GET /__emulator/log` and `control.log()`. */
export function createRequestLog(limit = 5000) {
  let entries: EmulatorLogEntry[] = [];
  return {
    add(entry: EmulatorLogEntry): void {
      entries.push(entry);
      if (entries.length > limit) entries = entries.slice(-limit);
    },
    list(): EmulatorLogEntry[] {
      return entries.map((e) => ({ ...e, headers: { ...e.headers } }));
    },
    reset(): void {
      entries = [];
    },
  };
}
