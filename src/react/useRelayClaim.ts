import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { claimTypeInfo } from '../core/claims.ts';
import type { RelayFlowSnapshot } from '../core/flowState.ts';
import { parseInquiryMessage } from '../core/inquiry.ts';
import { RelayFlow } from '../core/RelayFlow.ts';
import { format } from '../ui/format.ts';
import { relayClaimQueryOptions } from './relayClaimQueryOptions.ts';
import { useRelayContext } from './RelayProvider.tsx';
import type { UseRelayClaimOptions, UseRelayClaimReturn } from './types.ts';

const idle: RelayFlowSnapshot = { status: 'idle' };
const noSubscribe = () => () => undefined;
const getIdle = () => idle;

/**
 * The verification as React state: one `RelayFlow` per mount (StrictMode-proof), polled through
 * TanStack Query, returned as a union on `status`. Needs a `RelayProvider` above.
 */
export function useRelayClaim(options: UseRelayClaimOptions): UseRelayClaimReturn {
  const { client, queryClient, inquiryUrl, messages } = useRelayContext();
  const { claimType, sessionId, sessionAccessToken, expiresAt, enabled = true, autoStart = true } = options;
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });

  const [flow, setFlow] = useState<RelayFlow | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return undefined;
    const session = sessionId && sessionAccessToken && expiresAt ? { sessionId, sessionAccessToken, expiresAt } : undefined;
    const created = new RelayFlow({
      client,
      ...(session ? { session } : { claimType: claimType ?? '' }),
      inquiryUrl,
      externalPolling: true,
      onEvent: (event) => callbacks.current.onEvent?.(event),
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
  }, [client, inquiryUrl, claimType, sessionId, sessionAccessToken, expiresAt, enabled, autoStart]);

  const snapshot = useSyncExternalStore(flow?.subscribe ?? noSubscribe, flow?.getSnapshot ?? getIdle, getIdle);

  const polledId = snapshot.status === 'polling' ? snapshot.session.sessionId : undefined;
  const poll = useQuery({ ...relayClaimQueryOptions(polledId ?? '', { client }), enabled: polledId !== undefined }, queryClient);
  useEffect(() => {
    if (poll.data && polledId) flow?.receiveSessionState(poll.data);
  }, [flow, poll.data, poll.dataUpdatedAt, polledId]);
  useEffect(() => {
    if (poll.error && polledId) flow?.reportError(poll.error);
  }, [flow, poll.error, polledId]);

  useEffect(() => {
    if (snapshot.status === 'passed' || snapshot.status === 'failed') callbacks.current.onResult?.(snapshot.claim);
    else if (snapshot.status === 'error') callbacks.current.onError?.(snapshot.error);
  }, [snapshot]);

  // Messages count only from our own frame and the inquiry page's origin: any other window may post too.
  const [frame, setFrame] = useState<HTMLIFrameElement | null>(null);
  const inquirySrc = snapshot.status === 'inquiry' ? snapshot.inquiryUrl : undefined;
  useEffect(() => {
    if (!flow || !frame || !inquirySrc) return undefined;
    const expectedOrigin = new URL(inquirySrc, window.location.href).origin;
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow || event.origin !== expectedOrigin) return;
      const parsed = parseInquiryMessage(event.data);
      if (parsed) flow.handleInquiryEvent(parsed);
    };
    window.addEventListener('message', onMessage);
    return () => { window.removeEventListener('message', onMessage); };
  }, [flow, frame, inquirySrc]);

  const start = useCallback(() => flow?.start(), [flow]);
  const cancel = useCallback(() => flow?.cancel(), [flow]);
  const retry = useCallback(() => flow?.retry(), [flow]);
  const claimLabel = claimType ? (messages.claimTypes[claimType] ?? claimTypeInfo(claimType)?.label ?? claimType) : '';

  return useMemo((): UseRelayClaimReturn => {
    const actions = { start, cancel, retry };
    switch (snapshot.status) {
      case 'idle':
      case 'creating':
        return { ...actions, status: snapshot.status };
      case 'inquiry':
        return {
          ...actions,
          status: 'inquiry',
          session: snapshot.session,
          tokenReady: snapshot.tokenReady,
          inquiryProps: { src: snapshot.inquiryUrl, title: format(messages.inquiryTitle, claimLabel), allow: 'camera', ref: setFrame },
        };
      case 'redeeming':
      case 'polling':
        return { ...actions, status: 'verifying', session: snapshot.session };
      case 'passed':
      case 'failed':
        return { ...actions, status: snapshot.status, session: snapshot.session, claim: snapshot.claim, methodology: snapshot.claim.methodology };
      case 'canceled':
      case 'expired':
        return { ...actions, status: snapshot.status, session: snapshot.session };
      case 'error':
        return { ...actions, status: 'error', session: snapshot.session, error: snapshot.error };
    }
  }, [snapshot, start, cancel, retry, messages, claimLabel]);
}
