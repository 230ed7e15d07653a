/**
 * The emulator's private channel: what its hosted page posts to the window that framed it. Only
 * `EmulatorRelay` reads these; the kit never sees them (it hears Persona's widget callbacks instead).
 * This file imports nothing, so the hosted page's script (built from it) and the browser entry share it.
 */

/** Marks a message as the emulator page's, so other traffic on the window is never mistaken for it. */
export const pageMessageTag = 'relay-claim-kit/emulator-page';

/** What the page can report: loaded, the person finished, the session expired, or an error. (Canceling is the kit's own button.) */
export type PageEvent = 'ready' | 'complete' | 'expire' | 'error';

/** One message of the hosted page. `code` and `message` only on `error`. */
export interface PageMessage {
  tag: typeof pageMessageTag;
  event: PageEvent;
  code?: string;
  message?: string;
}

const pageEvents: readonly string[] = ['ready', 'complete', 'expire', 'error'];

/** A posted value as a `PageMessage`, or undefined for anything that is not exactly one. */
export function parsePageMessage(data: unknown): PageMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { tag, event, code, message } = data as Record<string, unknown>;
  if (tag !== pageMessageTag || typeof event !== 'string' || !pageEvents.includes(event)) return undefined;
  return {
    tag: pageMessageTag,
    event: event as PageEvent,
    ...(event === 'error' && typeof code === 'string' ? { code: code.slice(0, 64) } : {}),
    ...(event === 'error' && typeof message === 'string' ? { message: message.slice(0, 500) } : {}),
  };
}

/** The widget themes Persona documents; the page applies one with `color-scheme`. */
export type WidgetTheme = 'light' | 'dark' | 'auto';

/** `theme` when it is one Persona documents, else undefined (the page then follows the system). */
export function parseTheme(value: string | null | undefined): WidgetTheme | undefined {
  return value === 'light' || value === 'dark' || value === 'auto' ? value : undefined;
}

/** A BCP 47-shaped language tag (Persona's Languages page: `fr`, `pt-BR`, `el-GR`), else undefined. */
export function parseLanguage(value: string | null | undefined): string | undefined {
  return value && value.length <= 35 && /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(value) ? value : undefined;
}
