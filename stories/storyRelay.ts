/**
 * A stand-in for Persona's widget in the stories that run on the fake backend (no emulator there, so no
 * page to frame): the same constructor contract as `@persona/relay`'s `Relay` and `EmulatorRelay`,
 * rendering two buttons in place of a verification. The live story uses `EmulatorRelay` itself.
 */
import type { RelayWidget, RelayWidgetConstructor, RelayWidgetOptions } from '../src/core/widget.ts';

/** What the stand-in does by itself once mounted; none waits for a click. */
export type StoryRelayAct = 'complete' | 'expire' | 'error';

/** A widget class whose instances call `act`'s callback shortly after mounting. */
export function createStoryRelay(act?: StoryRelayAct): RelayWidgetConstructor {
  return class StoryRelay implements RelayWidget {
    readonly #root: HTMLElement;
    readonly #timer: ReturnType<typeof setTimeout> | undefined;
    #done = false;

    constructor(container: string | HTMLElement, options: RelayWidgetOptions) {
      const element = typeof container === 'string' ? document.querySelector<HTMLElement>(container) : container;
      if (!element) throw new TypeError(`StoryRelay: no element matches ${typeof container === 'string' ? container : 'the container'}`);
      const once = (callback: () => void) => () => {
        if (this.#done) return;
        this.#done = true;
        callback();
      };
      const fire: Record<StoryRelayAct, () => void> = {
        complete: once(() => options.onComplete?.()),
        expire: once(() => options.onExpire?.()),
        error: once(() => options.onError?.({ code: 'story-error', message: 'The stand-in widget reported an error.' })),
      };
      this.#root = document.createElement('div');
      this.#root.className = 'story-relay';
      const heading = document.createElement('p');
      heading.textContent = "Stand-in for Persona's verification widget";
      this.#root.append(heading);
      for (const [label, key] of [['Finish the inquiry', 'complete'], ['Let it expire', 'expire']] as const) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'relay-kit__button';
        button.textContent = label;
        button.addEventListener('click', fire[key]);
        this.#root.append(button, ' ');
      }
      element.append(this.#root);
      this.#timer = act ? setTimeout(fire[act], 300) : undefined;
    }

    destroy(): void {
      this.#done = true;
      clearTimeout(this.#timer);
      this.#root.remove();
    }
  };
}
