import { RelayFlow, createRelayClient, mountRelayWidget, type RelayFlowSnapshot, type RelayWidget, type RelayWidgetOptions } from '../../../src/core/index.ts';
import { EmulatorRelay } from '../../../src/emulator/widget/index.ts';

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
  /** When the first Worker was constructed: the token work starts there (its code has loaded by then). */
  workerAt?: number;
  /** Whether the browser reports long animation frames (and so which script made a task long). */
  loaf: boolean;
  /** Long animation frames (Chromium's successor of long tasks) with the scripts that ran in them. */
  longFrames: { start: number; duration: number; scripts: { invoker: string; sourceURL: string; start: number; duration: number }[] }[];
}

/**
 * A page with no framework that runs `RelayFlow` end to end: the real worker makes the token, the
 * emulator's widget (EmulatorRelay, as an app would use Persona's Relay) drives the flow through
 * `mountRelayWidget`, and the claim is written out.
 */
export function mountFlowPage(root: HTMLElement): FlowPageProbe {
  const params = new URLSearchParams(location.search);
  // The emulator is mounted on this origin at /persona (e2e/relayDevPlugin.ts).
  EmulatorRelay.configure({ url: '/persona' });
  const status = root.appendChild(document.createElement('p'));
  status.id = 'status';
  status.setAttribute('role', 'status');
  const claim = root.appendChild(document.createElement('pre'));
  claim.id = 'claim';
  const slot = root.appendChild(document.createElement('div'));
  slot.id = 'relay-container';
  let widget: RelayWidget | undefined;
  let widgetSession: string | undefined;

  // The kit loads its token code on demand and constructs the worker once it has: record when.
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      probe.workerAt ??= performance.now();
      // `?busy=MS`: the page blocks its main thread that long once the token work starts, so e2e/flow.spec.ts
      // can show that its main-thread check catches a long script in that window.
      const busyMs = Number(params.get('busy') ?? 0);
      if (busyMs > 0) {
        setTimeout(() => {
          const until = performance.now() + busyMs;
          while (performance.now() < until);
        }, 0);
      }
    }
  };

  const probe: FlowPageProbe = {
    flow: new RelayFlow({
      client: createRelayClient({ baseUrl: '/api/relay' }),
      claimType: params.get('claimType') ?? 'age_over_18_germany',
      // The emulator names itself as the issuer of its challenges (Persona's name is the default).
      expectedIssuer: `${location.host}/persona/api/v1/privacy-passes`,
    }),
    statuses: [],
    statusAt: {},
    longTasks: [],
    loaf: PerformanceObserver.supportedEntryTypes.includes('long-animation-frame'),
    longFrames: [],
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const container = (entry as PerformanceEntry & { attribution?: { containerType?: string; containerSrc?: string }[] }).attribution?.[0];
      probe.longTasks.push({ start: entry.startTime, duration: entry.duration, name: entry.name, container: container && `${container.containerType ?? ''} ${container.containerSrc ?? ''}`.trim() });
    }
  }).observe({ type: 'longtask', buffered: true });
  if (probe.loaf) {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { scripts?: { invoker?: string; sourceURL?: string; startTime: number; duration: number }[] })[]) {
        const scripts = (entry.scripts ?? []).map((script) => ({ invoker: script.invoker ?? '', sourceURL: script.sourceURL ?? '', start: script.startTime, duration: script.duration }));
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
    // One widget per inquiry: a retry brings a new session and a new widget; any other status ends it.
    const inquirySession = snapshot.status === 'inquiry' ? snapshot.session.sessionId : undefined;
    if (inquirySession !== widgetSession) {
      widget?.destroy();
      widgetSession = inquirySession;
      widget = inquirySession ? mountRelayWidget(probe.flow, TimedRelay, slot) : undefined;
    }
    if (snapshot.status === 'passed' || snapshot.status === 'failed') {
      probe.finalAt ??= performance.now();
      claim.textContent = JSON.stringify(snapshot.claim);
    }
    if (snapshot.status === 'error') claim.textContent = JSON.stringify({ title: snapshot.error.title, requestId: snapshot.error.requestId });
  };

  // The widget as the flow sees it, with the moment `onComplete` arrives noted for the timings.
  class TimedRelay extends EmulatorRelay {
    constructor(container: string | HTMLElement, options: RelayWidgetOptions) {
      super(container, {
        ...options,
        onComplete: () => {
          probe.completedAt = performance.now();
          options.onComplete?.();
        },
      });
    }
  }
  probe.flow.subscribe(() => {
    render(probe.flow.getSnapshot());
  });
  render(probe.flow.getSnapshot());
  probe.flow.start();
  return probe;
}
