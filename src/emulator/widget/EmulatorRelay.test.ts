// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmulatorRelay as EmulatorRelayClass } from './EmulatorRelay.ts';
import { pageMessageTag } from './protocol.ts';

// The configured URL is module state: each test gets a fresh module, so none depends on another's configure().
let EmulatorRelay: typeof EmulatorRelayClass;
beforeEach(async () => {
  vi.resetModules();
  ({ EmulatorRelay } = await import('./EmulatorRelay.ts'));
  document.body.innerHTML = '<div id="slot"></div>';
});
afterEach(() => {
  vi.restoreAllMocks();
});

const emulatorOrigin = 'http://127.0.0.1:4010';

function mount(options: Partial<ConstructorParameters<typeof EmulatorRelayClass>[1]> = {}) {
  EmulatorRelay.configure({ url: `${emulatorOrigin}/persona/` });
  const calls: string[] = [];
  const widget = new EmulatorRelay('#slot', {
    accessToken: 'tok en/+',
    onComplete: () => calls.push('complete'),
    onExpire: () => calls.push('expire'),
    onError: (error) => calls.push(`error:${JSON.stringify(error)}`),
    ...options,
  });
  const frame = document.querySelector('#slot iframe');
  if (!(frame instanceof HTMLIFrameElement) || !frame.contentWindow) throw new Error('no frame mounted');
  return { widget, frame, source: frame.contentWindow, calls };
}

const post = (data: unknown, origin: string, source: MessageEventSource | null) => {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
};

describe('EmulatorRelay', () => {
  it('refuses to guess where the emulator is', () => {
    expect(() => new EmulatorRelay('#slot', { accessToken: 't' })).toThrow(/EmulatorRelay\.configure\(\{ url/);
    expect(document.querySelector('iframe')).toBeNull();
    expect(() => { EmulatorRelay.configure({ url: 'javascript:alert(1)' }); }).toThrow(TypeError);
  });

  it('frames {url}/relay with the token, the page origin, theme and language, resolving a relative url', () => {
    const { frame } = mount({ theme: 'dark', language: 'pt-BR' });
    const src = new URL(frame.src);
    expect(`${src.origin}${src.pathname}`).toBe(`${emulatorOrigin}/persona/relay`);
    expect(src.searchParams.get('relay-session-access-token')).toBe('tok en/+');
    expect(src.searchParams.get('origin')).toBe(window.location.origin);
    expect(src.searchParams.get('theme')).toBe('dark');
    expect(src.searchParams.get('language')).toBe('pt-BR');
    expect(frame.title).not.toBe('');
    expect(frame.referrerPolicy).toBe('no-referrer');

    EmulatorRelay.configure({ url: '/persona' });
    const element = document.createElement('div');
    document.body.append(element);
    new EmulatorRelay(element, { accessToken: 't', theme: 'sepia' as 'auto', language: '"><x' });
    const relative = new URL(element.querySelector('iframe')!.src);
    expect(relative.origin).toBe(window.location.origin);
    expect(relative.pathname).toBe('/persona/relay');
    expect(relative.searchParams.has('theme')).toBe(false);
    expect(relative.searchParams.has('language')).toBe(false);
  });

  it('throws for a missing container or token, and then listens to nothing', () => {
    EmulatorRelay.configure({ url: emulatorOrigin });
    const add = vi.spyOn(window, 'addEventListener');
    expect(() => new EmulatorRelay('#nowhere', { accessToken: 't' })).toThrow(TypeError);
    expect(() => new EmulatorRelay('#slot', { accessToken: '' })).toThrow(/accessToken/);
    expect(add).not.toHaveBeenCalled();
  });

  it("maps the page's events to Persona's callbacks, once", () => {
    const { source, calls } = mount();
    post({ tag: pageMessageTag, event: 'ready' }, emulatorOrigin, source);
    expect(calls).toEqual([]);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, source);
    post({ tag: pageMessageTag, event: 'expire' }, emulatorOrigin, source);
    expect(calls).toEqual(['complete']);

    for (const [event, expected] of [
      ['expire', ['expire']],
      // The page has no Cancel (the kit's button is the one): a 'cancel' message is not the page's.
      ['cancel', []],
    ] as const) {
      document.body.innerHTML = '<div id="slot"></div>';
      const next = mount();
      post({ tag: pageMessageTag, event }, emulatorOrigin, next.source);
      expect(next.calls).toEqual(expected);
    }
    document.body.innerHTML = '<div id="slot"></div>';
    const failing = mount();
    post({ tag: pageMessageTag, event: 'error', code: 'invalid-session', message: 'x'.repeat(600) }, emulatorOrigin, failing.source);
    expect(failing.calls).toEqual([`error:${JSON.stringify({ code: 'invalid-session', message: 'x'.repeat(500) })}`]);
  });

  it('ignores messages from another window, another origin, or in another shape', () => {
    const { source, calls } = mount();
    const other = document.createElement('iframe');
    document.body.append(other);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, other.contentWindow);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, window);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, null);
    post({ tag: pageMessageTag, event: 'complete' }, 'http://127.0.0.1:4011', source);
    post({ tag: pageMessageTag, event: 'complete' }, 'null', source);
    for (const junk of [null, 'complete', { type: 'relay:complete' }, { tag: 'other', event: 'complete' }, { tag: pageMessageTag, event: 'done' }]) {
      post(junk, emulatorOrigin, source);
    }
    expect(calls).toEqual([]);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, source);
    expect(calls).toEqual(['complete']);
  });

  it('destroy() removes the iframe and the very listener it added; nothing is called afterwards', () => {
    const add = vi.spyOn(window, 'addEventListener');
    const remove = vi.spyOn(window, 'removeEventListener');
    const { widget, source, calls } = mount();
    expect(add).toHaveBeenCalledTimes(1);
    const [type, listener] = add.mock.calls[0]!;
    widget.destroy();
    expect(document.querySelector('iframe')).toBeNull();
    expect(remove).toHaveBeenCalledWith(type, listener);
    post({ tag: pageMessageTag, event: 'complete' }, emulatorOrigin, source);
    expect(calls).toEqual([]);
    widget.destroy();
  });
});
