import type { RelayClient } from '../wire/client.ts';
import { loadOnDemand } from '../wire/onDemand.ts';
import type { createDefaultTokenSource, DefaultTokenSourceOptions, TokenSource } from '../worker/tokenSource.ts';

/** A `TokenSource` whose code arrives on demand; `preload()` fetches it ahead of the first `obtain`. */
export interface LazyTokenSource extends TokenSource {
  preload(): void;
}

/** What the lazy source loads: the worker layer's `createDefaultTokenSource`. */
export interface TokenSourceModule {
  createDefaultTokenSource: typeof createDefaultTokenSource;
}

const importTokenSource = (): Promise<TokenSourceModule> => import('../worker/tokenSource.ts');

/**
 * The kit's default token source (worker, or in-thread where it cannot run), imported on first use: the
 * worker client and its message checks stay out of the app's main chunk, and `RelayFlow` preloads them
 * while the session is being created, so the token starts no later than before.
 */
export function createLazyTokenSource(client: RelayClient, options: DefaultTokenSourceOptions, load = importTokenSource): LazyTokenSource {
  let loading: Promise<TokenSource> | undefined;
  const source = (): Promise<TokenSource> =>
    (loading ??= loadOnDemand(load, 'Could not load the token code').then(
      ({ createDefaultTokenSource }) => createDefaultTokenSource(client, options),
      (error: unknown) => {
        // Forgotten, so a retry fetches the chunk again.
        loading = undefined;
        throw error;
      },
    ));
  return {
    preload() {
      source().catch(() => undefined);
    },
    async obtain(sessionId, signal) {
      return (await source()).obtain(sessionId, signal);
    },
    dispose() {
      void loading?.then(
        (loaded) => {
          loaded.dispose();
        },
        () => undefined,
      );
    },
  };
}
