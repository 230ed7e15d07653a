import { RelayFlow, createRelayClient, parseInquiryMessage, type RelayFlowSnapshot } from '../../../src/core/index.ts';

/** What the flow fixture exposes to Playwright: timings, long tasks, and the flow itself. */
export interface FlowPageProbe {
  flow: RelayFlow;
  statuses: string[];
  /** `performance.now()` at which each status was first rendered. */
  statusAt: Partial<Record<RelayFlowSnapshot['status'], number>>;
  /** Long tasks seen, with whose frame ran them ('self' is this page; an iframe's are 'same-origin-descendant'). */
  longTasks: { start: number; duration: number; name: string; container?: string }[];
  completedAt?: number;
  finalAt?: number;
  tokenReadyAt?: number;
  /** Long animation frames (Chromium's successor of long tasks) with the scripts that ran in them. */
  longFrames: { start: number; duration: number; scripts: { invoker: string; sourceURL: string; duration: number }[] }[];
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
  let frameUrl: string | undefined;

  const probe: FlowPageProbe = {
    flow: new RelayFlow({
      client: createRelayClient({ baseUrl: '/api/relay' }),
      claimType: params.get('claimType') ?? 'age_over_18_germany',
      inquiryUrl: '/persona/relay',
    }),
    statuses: [],
    statusAt: {},
    longTasks: [],
    longFrames: [],
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const container = (entry as PerformanceEntry & { attribution?: { containerType?: string; containerSrc?: string }[] }).attribution?.[0];
      probe.longTasks.push({ start: entry.startTime, duration: entry.duration, name: entry.name, container: container && `${container.containerType ?? ''} ${container.containerSrc ?? ''}`.trim() });
    }
  }).observe({ type: 'longtask', buffered: true });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { scripts?: { invoker?: string; sourceURL?: string; duration: number }[] })[]) {
        const scripts = (entry.scripts ?? []).map((script) => ({ invoker: script.invoker ?? '', sourceURL: script.sourceURL ?? '', duration: script.duration }));
        probe.longFrames.push({ start: entry.startTime, duration: entry.duration, scripts });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  }

  const render = (snapshot: RelayFlowSnapshot): void => {
    if (probe.statuses.at(-1) !== snapshot.status) probe.statuses.push(snapshot.status);
    probe.statusAt[snapshot.status] ??= performance.now();
    status.textContent = snapshot.status;
    status.dataset.tokenReady = snapshot.status === 'inquiry' ? String(snapshot.tokenReady) : '';
    if (snapshot.status === 'inquiry' && snapshot.tokenReady) probe.tokenReadyAt ??= performance.now();
    if (snapshot.status === 'inquiry' && frameUrl !== snapshot.inquiryUrl) {
      // A retry brings a new session, so the frame follows the snapshot's inquiry URL.
      frame ??= root.appendChild(document.createElement('iframe'));
      frame.title = 'Verification';
      frame.allow = 'camera';
      frame.src = frameUrl = snapshot.inquiryUrl;
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
