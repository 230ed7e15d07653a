import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { RelayFlowEvent, RelayFlowSnapshot, RelayFlowStatus } from '../core/flowState.ts';
import { RelayFlowMachine } from '../core/RelayFlowMachine.ts';
import { mountRelayWidget, type RelayWidget } from '../core/widget.ts';
import { relayClaimQueryOptions } from './relayClaimQueryOptions.ts';
import { useRelayContext } from './RelayProvider.tsx';
import type { UseRelayClaimEvent, UseRelayClaimOptions, UseRelayClaimReturn, UseRelayClaimStatus } from './types.ts';

const idle: RelayFlowSnapshot = { status: 'idle' };

/** The hook's status for a flow status: redeeming and polling are one `verifying` for the person. */
function hookStatus(status: RelayFlowStatus): UseRelayClaimStatus {
  return status === 'redeeming' || status === 'polling' ? 'verifying' : status;
}

/** Translates the flow's events into the hook's vocabulary; a status the hook already reported is dropped. */
function hookEvents(emit: (event: UseRelayClaimEvent) => void): (event: RelayFlowEvent) => void {
  let last: UseRelayClaimStatus | undefined;
  return (event) => {
    if (event.type !== 'status') {
      emit(event);
      return;
    }
    const status = hookStatus(event.status);
    if (status === last) return;
    last = status;
    emit({ type: 'status', status });
  };
}
const noSubscribe = () => () => undefined;
const getIdle = () => idle;

/**
 * The verification as React state: one flow (`RelayFlowMachine`) per mount (StrictMode-proof), polled through
 * TanStack Query, returned as a union on `status`. Needs a `RelayProvider` above.
 */
export function useRelayClaim(options: UseRelayClaimOptions): UseRelayClaimReturn {
  const context = useRelayContext();
  const { client, queryClient } = context;
  const { claimType, sessionId, sessionAccessToken, expiresAt, enabled = true, autoStart = true } = options;
  const expectedIssuer = options.expectedIssuer ?? context.expectedIssuer;
  // The latest options and provider value, read by callbacks and when the widget mounts: a change of
  // identity (an inline onResult, a new widget class) restarts nothing.
  const latest = useRef({ options, context });
  useEffect(() => {
    latest.current = { options, context };
  });

  const [flow, setFlow] = useState<RelayFlowMachine | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return undefined;
    const session = sessionId && sessionAccessToken && expiresAt ? { sessionId, sessionAccessToken, expiresAt } : undefined;
    // The machine without its own polling: the TanStack query below polls and feeds it.
    const created = new RelayFlowMachine({
      client,
      ...(session ? { session } : { claimType: claimType ?? '' }),
      ...(expectedIssuer === undefined ? {} : { expectedIssuer }),
      worker: context.worker,
      createWorker: context.createWorker,
      onEvent: hookEvents((event) => latest.current.options.onEvent?.(event)),
    });
    let live = true;
    setFlow(created);
    // Deferred so StrictMode's mount → unmount → mount, which runs synchronously, starts only the survivor.
    if (autoStart) {
      void Promise.resolve().then(() => {
        if (live) created.start();
      });
    }
    return () => {
      live = false;
      created.dispose();
      setFlow((current) => (current === created ? undefined : current));
    };
  }, [client, claimType, sessionId, sessionAccessToken, expiresAt, expectedIssuer, context.worker, context.createWorker, enabled, autoStart]);

  const snapshot = useSyncExternalStore(flow?.subscribe ?? noSubscribe, flow?.getSnapshot ?? getIdle, getIdle);

  const polledId = snapshot.status === 'polling' ? snapshot.session.sessionId : undefined;
  const poll = useQuery({ ...relayClaimQueryOptions(polledId ?? '', { client }), enabled: polledId !== undefined }, queryClient);
  useEffect(() => {
    if (!polledId) return;
    // A failed poll (after the query's own retries) ends the flow; an answer moves it on.
    if (poll.error) flow?.reportError(poll.error);
    else if (poll.data) flow?.receiveSessionState(poll.data);
  }, [flow, poll.data, poll.dataUpdatedAt, poll.error, polledId]);

  useEffect(() => {
    const { onResult, onError } = latest.current.options;
    if (snapshot.status === 'passed' || snapshot.status === 'failed') onResult?.(snapshot.claim);
    else if (snapshot.status === 'error') onError?.(snapshot.error);
  }, [snapshot]);

  // Persona's widget, one per inquiry: mounted into the container the view renders, destroyed when the
  // inquiry ends for any reason (complete, cancel, expiry, error, retry, unmount). The widget class, theme
  // and language are read when it mounts: a change of identity must not restart the person's verification.
  const [container, setContainer] = useState<HTMLElement | null>(null);
  const inquirySession = snapshot.status === 'inquiry' ? snapshot.session.sessionId : undefined;
  useEffect(() => {
    if (!flow || !container || !inquirySession) return undefined;
    let widget: RelayWidget | undefined;
    let live = true;
    // Deferred like start(): StrictMode's synchronous mount → unmount → mount constructs only the survivor's widget.
    void Promise.resolve().then(() => {
      if (!live) return;
      const { options: now, context: provider } = latest.current;
      widget = mountRelayWidget(flow, provider.widget, container, { theme: now.widgetTheme, language: now.widgetLanguage ?? provider.messages.locale });
    });
    return () => {
      live = false;
      widget?.destroy();
    };
  }, [flow, container, inquirySession]);

  const actions = useMemo(() => ({ start: () => flow?.start(), cancel: () => flow?.cancel(), retry: () => flow?.retry() }), [flow]);

  return useMemo((): UseRelayClaimReturn => {
    switch (snapshot.status) {
      case 'inquiry':
        return { ...actions, ...snapshot, inquiryProps: { ref: setContainer } };
      case 'redeeming':
      case 'polling':
        return { ...actions, status: 'verifying', session: snapshot.session };
      case 'passed':
      case 'failed':
        return { ...actions, ...snapshot, methodology: snapshot.claim.methodology };
      default:
        // idle, creating, canceled, expired, error: the flow's snapshot is already the hook's shape.
        return { ...actions, ...snapshot };
    }
  }, [snapshot, actions]);
}
