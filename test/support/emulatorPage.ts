/**
 * What the emulator's hosted page posts to `EmulatorRelay`, for jsdom tests (jsdom does not run the page
 * inside the iframe). Browser tests (e2e/widget.spec.ts) use the real page instead.
 */
import { pageMessageTag, type PageEvent } from '../../src/emulator/widget/protocol.ts';

/** A `message` event as the page in `frame` would send it; `origin`/`source` overridable to play an intruder. */
export function emulatorPageMessage(frame: HTMLIFrameElement, event: PageEvent, options: { origin: string; source?: MessageEventSource | null; code?: string }): MessageEvent {
  const data = { tag: pageMessageTag, event, ...(options.code ? { code: options.code } : {}) };
  return new MessageEvent('message', { data, origin: options.origin, source: options.source === undefined ? frame.contentWindow : options.source });
}
