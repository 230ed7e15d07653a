import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createRelayClient, type RelayClient } from '../core/client.ts';
import type { RelayWidgetConstructor } from '../core/widget.ts';
import { en, mergeMessages, type RelayMessages } from '../i18n/messages.ts';

/** Props of `RelayProvider`. */
export interface RelayProviderProps {
  /** The app backend's relay routes, e.g. `/api/relay`. */
  baseUrl: string;
  /** Reused when given; otherwise the one already provided above, otherwise a private one. */
  queryClient?: QueryClient;
  /**
   * Fetch for the calls made on the page (session, redeem, polling); the worker's own calls use
   * `headers` and `credentials`. May change identity on every render without restarting anything.
   */
  fetch?: typeof fetch;
  /** Headers sent with every call to `baseUrl`, from the page and from the worker (e.g. a CSRF token). Read at call time. */
  headers?: Record<string, string>;
  /** `credentials` of every call to `baseUrl` (default `same-origin`); `include` for a backend on another origin. Read at call time. */
  credentials?: RequestCredentials;
  /**
   * Where Privacy Pass tokens are made: `false` on the main thread, `true` only in the worker. Default:
   * the worker, or the main thread (after one console warning) if the app's bundler did not emit it.
   */
  worker?: boolean;
  /** Starts the worker yourself (a custom URL or bundler); implies `worker`. Its identity may change freely. */
  createWorker?: () => Worker;
  /**
   * Persona's widget class: `Relay` from `@persona/relay`, or `EmulatorRelay` from
   * `relay-claim-kit/emulator/widget` against the local emulator. Required: the kit never guesses a page.
   */
  widget: RelayWidgetConstructor;
  /** Strings for every view; a locale such as `de` or a partial override of English. */
  messages?: Partial<RelayMessages>;
  /**
   * The issuer_name every Privacy Pass challenge must carry; default Persona's
   * (`withpersona.com/api/v1/privacy-passes`). Against the emulator: its host + `/api/v1/privacy-passes`.
   */
  expectedIssuer?: string;
  children?: ReactNode;
}

/** What the hook and the views read from the provider. */
export interface RelayContextValue {
  client: RelayClient;
  queryClient: QueryClient;
  widget: RelayWidgetConstructor;
  messages: RelayMessages;
  expectedIssuer: string | undefined;
  worker: boolean | undefined;
  createWorker: (() => Worker) | undefined;
}

const RelayContext = createContext<RelayContextValue | undefined>(undefined);

/** Makes the backend client, the query client and the strings available to `useRelayClaim` and `RelayVerification`. */
export function RelayProvider(props: RelayProviderProps) {
  const { baseUrl, queryClient, worker, createWorker, widget, messages, expectedIssuer, children } = props;
  // Before any hook or child runs, so a provider without a widget creates no relay at all.
  if (typeof widget !== 'function') {
    throw new TypeError(
      "relay-claim-kit: <RelayProvider> needs widget={Relay} (import Relay from '@persona/relay'), or widget={EmulatorRelay} from 'relay-claim-kit/emulator/widget' against the local emulator",
    );
  }
  const outer = useContext(QueryClientContext);
  // Created once per provider, and only when neither the props nor the tree supply one.
  const [own] = useState(() => (queryClient ?? outer ? undefined : new QueryClient()));
  // Like react-stripe-js: the latest props in a ref, refreshed after every commit, read at call time.
  const live = useRef(props);
  useEffect(() => {
    live.current = props;
  });
  // Getters, so `fetch`, `headers` and `credentials` may change identity on every render (an inline
  // arrow, a fresh object) without a new client, which would restart the flow and create a new relay.
  const client = useMemo(
    () =>
      createRelayClient({
        baseUrl,
        get fetch() {
          return live.current.fetch;
        },
        get headers() {
          return live.current.headers;
        },
        get credentials() {
          return live.current.credentials;
        },
      }),
    [baseUrl],
  );
  // Only whether there is one counts; a new function each render does not restart the verification.
  const hasCreateWorker = createWorker !== undefined;
  const startWorker = useMemo(
    () =>
      hasCreateWorker
        ? () => {
            const create = live.current.createWorker;
            if (!create) throw new TypeError('relay-claim-kit: createWorker was removed from <RelayProvider>');
            return create();
          }
        : undefined,
    [hasCreateWorker],
  );
  const resolved = queryClient ?? outer ?? own;
  const merged = useMemo(() => mergeMessages(en, messages), [messages]);
  const value = useMemo(
    () => (resolved ? { client, queryClient: resolved, widget, messages: merged, expectedIssuer, worker, createWorker: startWorker } : undefined),
    [client, resolved, widget, merged, expectedIssuer, worker, startWorker],
  );
  const tree = <RelayContext.Provider value={value}>{children}</RelayContext.Provider>;
  // The private or given client must be mounted (focus/online managers) and visible to the app's own hooks below.
  return resolved && resolved !== outer ? <QueryClientProvider client={resolved}>{tree}</QueryClientProvider> : tree;
}

/** The provider's value; throws a clear error when `RelayProvider` is missing. */
export function useRelayContext(): RelayContextValue {
  const value = useContext(RelayContext);
  if (!value) throw new Error('relay-claim-kit: wrap the component in <RelayProvider baseUrl="…">');
  return value;
}
