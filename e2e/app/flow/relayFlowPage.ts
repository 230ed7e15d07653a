import { RelayFlow, createRelayClient, parseInquiryMessage, type RelayFlowSnapshot } from '../../../src/core/index.ts';

/** What the flow fixture exposes to Playwright: timings, long tasks, and the flow itself. */
export interface FlowPageProbe {
  flow: RelayFlow;
  statuses: string[];
  /** `performance.now()` at which each status was first rendered. */
  statusAt: Partial<Record<RelayFlowSnapshot['status'], number>>;
  longTasks: { start: number; duration: number }[];
  completedAt?: number;
  finalAt?: number;
  tokenReadyAt?: number;
}

/**
 * A page with no framework that runs `RelayFlow` end to end: the real worker makes the token, the
 * hosted inquiry page sits in an iframe, its messages drive the flow, and the claim is written out.
 */
export function mountFlowPage(root: HTMLElement): FlowPageProbe {
  const params = new URLSearchParams(location.search);
  const status = root.appendChild(document.createElement('p'));
  status.id = 'status';
  status.setAttribute('role', 'status');
  const claim = root.appendChild(document.createElement('pre'));
  claim.id = 'claim';
  let frame: HTMLIFrameElement | undefined;

  const probe: FlowPageProbe = {
    flow: new RelayFlow({
      client: createRelayClient({ baseUrl: '/api/relay' }),
      claimType: params.get('claimType') ?? 'age_over_18_germany',
      inquiryUrl: '/persona/relay',
    }),
    statuses: [],
    statusAt: {},
    longTasks: [],
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });

  const render = (snapshot: RelayFlowSnapshot): void => {
    if (probe.statuses.at(-1) !== snapshot.status) probe.statuses.push(snapshot.status);
    probe.statusAt[snapshot.status] ??= performance.now();
    status.textContent = snapshot.status;
    status.dataset.tokenReady = snapshot.status === 'inquiry' ? String(snapshot.tokenReady) : '';
    if (snapshot.status === 'inquiry' && snapshot.tokenReady) probe.tokenReadyAt ??= performance.now();
    if (snapshot.status === 'inquiry' && !frame) {
      frame = root.appendChild(document.createElement('iframe'));
      frame.title = 'Verification';
      frame.allow = 'camera';
      frame.src = snapshot.inquiryUrl;
    }
    if (snapshot.status === 'passed' || snapshot.status === 'failed') {
      probe.finalAt ??= performance.now();
      claim.textContent = JSON.stringify(snapshot.claim);
    }
    if (snapshot.status === 'error') claim.textContent = JSON.stringify({ title: snapshot.error.title, requestId: snapshot.error.requestId });
  };

  window.addEventListener('message', (event) => {
    if (event.origin !== location.origin || !frame || event.source !== frame.contentWindow) return;
    const inquiryEvent = parseInquiryMessage(event.data);
    if (!inquiryEvent) return;
    if (inquiryEvent.type === 'relay:complete') probe.completedAt = performance.now();
    probe.flow.handleInquiryEvent(inquiryEvent);
  });
  probe.flow.subscribe(() => {
    render(probe.flow.getSnapshot());
  });
  render(probe.flow.getSnapshot());
  probe.flow.start();
  return probe;
}
