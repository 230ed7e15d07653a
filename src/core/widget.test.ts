import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import type { RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow } from './RelayFlow.ts';
import { mountRelayWidget, type RelayWidgetOptions } from './widget.ts';

// mountRelayWidget against a real flow (handler + emulator over HTTP). The widget is a recording class with
// Persona's constructor contract: the browser's real one (EmulatorRelay) is exercised in e2e/widget.spec.ts.
let stack: RelayStack;
beforeAll(async () => {
  stack = await startRelayStack();
});
afterAll(() => stack.close());

interface Mounted {
  container: string | HTMLElement;
  options: RelayWidgetOptions;
  destroyed: boolean;
}

function recordingWidget() {
  const mounted: Mounted[] = [];
  class RecordingRelay {
    readonly #entry: Mounted;
    constructor(container: string | HTMLElement, options: RelayWidgetOptions) {
      this.#entry = { container, options, destroyed: false };
      mounted.push(this.#entry);
    }
    destroy(): void {
      this.#entry.destroyed = true;
    }
  }
  return { RecordingRelay, mounted };
}

function makeFlow() {
  const client = createRelayClient({ baseUrl: stack.baseUrl });
  return new RelayFlow({ client, claimType: 'age_over_18_germany', tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }), pollIntervalMs: 20 });
}

function until(flow: RelayFlow, test: (s: RelayFlowSnapshot) => boolean): Promise<RelayFlowSnapshot> {
  return new Promise((resolve) => {
    const check = () => {
      if (!test(flow.getSnapshot())) return;
      stop();
      resolve(flow.getSnapshot());
    };
    const stop = flow.subscribe(check);
    check();
  });
}

const container = {} as HTMLElement;

describe('mountRelayWidget', () => {
  it('constructs the widget with the session access token, theme and language; onComplete redeems to the claim', async () => {
    const flow = makeFlow();
    const { RecordingRelay, mounted } = recordingWidget();
    expect(mountRelayWidget(flow, RecordingRelay, container)).toBeUndefined();
    flow.start();
    const inquiry = await until(flow, (s) => s.status === 'inquiry' && s.tokenReady);
    if (inquiry.status !== 'inquiry') throw new Error('unreachable');
    const widget = mountRelayWidget(flow, RecordingRelay, container, { theme: 'dark', language: 'de' });
    expect(widget).toBeDefined();
    expect(mounted).toHaveLength(1);
    expect(mounted[0]!.container).toBe(container);
    expect(mounted[0]!.options).toMatchObject({ accessToken: inquiry.session.sessionAccessToken, theme: 'dark', language: 'de' });
    stack.emulator.control.finishInquiry(stack.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    mounted[0]!.options.onComplete?.();
    expect(flow.getSnapshot().status).toBe('redeeming');
    expect(await until(flow, (s) => s.status === 'passed')).toMatchObject({ claim: { claimResult: 'passed' } });
    flow.dispose();
  });

  it('onExpire → expired; onError → error carrying the widget code, whatever shape the widget passes', async () => {
    const flow = makeFlow();
    const { RecordingRelay, mounted } = recordingWidget();
    flow.start();
    await until(flow, (s) => s.status === 'inquiry');
    mountRelayWidget(flow, RecordingRelay, container);
    mounted[0]!.options.onExpire?.();
    expect(flow.getSnapshot().status).toBe('expired');

    flow.retry();
    await until(flow, (s) => s.status === 'inquiry');
    mountRelayWidget(flow, RecordingRelay, container);
    // A callback of the first session's widget changes nothing in the second session.
    mounted[0]!.options.onComplete?.();
    expect(flow.getSnapshot().status).toBe('inquiry');
    (mounted[1]!.options.onError as (error: unknown) => void)({ code: 'x'.repeat(300), message: 'network down', extra: 'dropped' });
    const failed = flow.getSnapshot();
    if (failed.status !== 'error') throw new Error(`expected error, got ${failed.status}`);
    expect(failed.error.code).toBe('inquiry-error');
    expect(failed.error.detail).toBe('network down');
    expect(failed.error.meta).toEqual({ widgetCode: 'x'.repeat(100) });

    flow.retry();
    await until(flow, (s) => s.status === 'inquiry');
    mountRelayWidget(flow, RecordingRelay, container);
    (mounted[2]!.options.onError as (error: unknown) => void)('not an object');
    const odd = flow.getSnapshot();
    expect(odd.status === 'error' && odd.error.meta).toEqual({ widgetCode: 'unknown' });
    flow.dispose();
  });

  it('a widget constructor that throws puts the flow in error instead of throwing', async () => {
    const flow = makeFlow();
    flow.start();
    await until(flow, (s) => s.status === 'inquiry');
    class Broken {
      constructor() {
        throw new Error('call configure() first');
      }
      destroy(): void {}
    }
    expect(mountRelayWidget(flow, Broken, container)).toBeUndefined();
    const failed = flow.getSnapshot();
    expect(failed.status).toBe('error');
    expect(failed.status === 'error' && failed.error.detail).toBe('call configure() first');
    expect(failed.status === 'error' && failed.error.meta).toEqual({ widgetCode: 'widget-failed' });
    flow.dispose();
  });
});
