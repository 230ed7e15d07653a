import { parseLanguage, parsePageMessage, parseTheme, type PageMessage } from './protocol.ts';

/** The error `onError` receives: Persona's `RelayError` shape, `{ code, message? }` (PROTOCOL.md §6.1). */
export interface EmulatorRelayError {
  code: string;
  message?: string;
}

/** The options of Persona's `new Relay(container, options)` (PROTOCOL.md §6.1), which `EmulatorRelay` takes too. */
export interface EmulatorRelayOptions {
  /** The `relay-session-access-token` the app's server received when it created the relay. */
  accessToken: string;
  /** The person finished; carries no data: the app's server asks for the claim. */
  onComplete?: () => void;
  /** The page could not run the verification (bad or unknown session, a failed request). */
  onError?: (error: EmulatorRelayError) => void;
  /** The relay session expired: create a new relay on the server and mount a new widget. */
  onExpire?: () => void;
  /** `auto` (default) follows the system's colour scheme. */
  theme?: 'light' | 'dark' | 'auto';
  /** A language code such as `fr`; the emulator's page speaks the closest of the kit's locales (else English). */
  language?: string;
}

/** Where `EmulatorRelay.configure` points the widgets made after it. */
export interface EmulatorRelayConfig {
  /** The emulator's base URL, e.g. `http://localhost:4010` or `/persona` (relative to the page). */
  url: string | URL;
}

let emulatorBase: URL | undefined;

function resolveContainer(container: string | HTMLElement): HTMLElement {
  const element = typeof container === 'string' ? document.querySelector(container) : container;
  if (!(element instanceof HTMLElement)) {
    throw new TypeError(`EmulatorRelay: container ${typeof container === 'string' ? `"${container}" matches no element` : 'is not an HTMLElement'}`);
  }
  return element;
}

/**
 * A drop-in for `@persona/relay`'s `Relay` that mounts the local emulator's hosted page: same
 * constructor, same callbacks, same `destroy()`. Point it at the emulator once with `configure`.
 * @example
 * EmulatorRelay.configure({ url: 'http://localhost:4010' });
 * const widget = new EmulatorRelay('#relay', { accessToken, onComplete: () => redeem() });
 * // later: widget.destroy();
 */
export class EmulatorRelay {
  /**
   * Sets the emulator's URL for every widget constructed afterwards (existing ones keep theirs).
   * @throws TypeError when the URL is not http(s), or relative with no page to resolve it against.
   */
  static configure(config: EmulatorRelayConfig): void {
    const base = typeof window === 'undefined' ? undefined : window.location.href;
    let url: URL;
    try {
      url = new URL(config.url, base);
    } catch {
      throw new TypeError('EmulatorRelay.configure: url must be an absolute http(s) URL, or relative to the page');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('EmulatorRelay.configure: url must be http(s)');
    url.search = '';
    url.hash = '';
    emulatorBase = url;
  }

  readonly #frame: HTMLIFrameElement;
  readonly #origin: string;
  readonly #options: EmulatorRelayOptions;
  #done = false;

  /**
   * Mounts the emulator's page for this session into `container` (an element or a CSS selector).
   * @throws Error when `configure` was never called; TypeError for a missing container or token.
   */
  constructor(container: string | HTMLElement, options: EmulatorRelayOptions) {
    if (!emulatorBase) {
      throw new Error("EmulatorRelay: call EmulatorRelay.configure({ url: '<the emulator, e.g. http://localhost:4010>' }) before creating a widget");
    }
    if (typeof options.accessToken !== 'string' || options.accessToken === '') throw new TypeError('EmulatorRelay: options.accessToken is required');
    const element = resolveContainer(container);
    this.#options = options;

    const src = new URL(`${emulatorBase.pathname.replace(/\/+$/, '')}/relay`, emulatorBase);
    src.searchParams.set('relay-session-access-token', options.accessToken);
    // The page posts to this origin only; the emulator's frame-ancestors decides whether it may be framed here.
    src.searchParams.set('origin', window.location.origin);
    const theme = parseTheme(options.theme);
    if (theme) src.searchParams.set('theme', theme);
    const language = parseLanguage(options.language);
    if (language) src.searchParams.set('language', language);
    this.#origin = src.origin;

    const frame = document.createElement('iframe');
    frame.title = 'Persona Relay verification (emulator)';
    frame.allow = 'camera';
    // Persona's hosted flow refuses requests that carry a Referer; the emulator page is held to the same.
    frame.referrerPolicy = 'no-referrer';
    // Fills the container, as Persona's widget does; a container with no height still shows the whole page.
    frame.style.width = '100%';
    frame.style.height = '100%';
    frame.style.minHeight = '26rem';
    frame.style.border = '0';
    frame.style.display = 'block';
    frame.src = src.href;
    this.#frame = frame;
    // Listening before the frame loads, so its first message cannot be missed.
    window.addEventListener('message', this.#onMessage);
    element.append(frame);
  }

  /** Removes the iframe and the message listener; no callback runs afterwards. Safe to call twice. */
  destroy(): void {
    this.#done = true;
    window.removeEventListener('message', this.#onMessage);
    this.#frame.remove();
  }

  // Any window can post to ours: only our own frame, showing the emulator's origin, is heard.
  readonly #onMessage = (event: MessageEvent): void => {
    if (this.#done || event.source !== this.#frame.contentWindow || event.origin !== this.#origin) return;
    const message = parsePageMessage(event.data);
    if (message) this.#deliver(message);
  };

  /** One final callback per widget, as Persona's: the person cannot finish twice. */
  #deliver(message: PageMessage): void {
    if (message.event === 'ready') return;
    this.#done = true;
    const { onComplete, onError, onExpire } = this.#options;
    switch (message.event) {
      // Persona's widget has no cancel callback; the kit's own Cancel destroys the widget.
      case 'complete':
        onComplete?.();
        return;
      case 'expire':
        onExpire?.();
        return;
      case 'error':
        onError?.({ code: message.code ?? 'unknown', ...(message.message ? { message: message.message } : {}) });
        return;
    }
  }
}
