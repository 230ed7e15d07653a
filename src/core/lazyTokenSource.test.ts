import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { RelayNetworkError } from '../wire/errors.ts';
import { createDefaultTokenSource, type TokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import { createLazyTokenSource, type TokenSourceModule } from './lazyTokenSource.ts';

describe('createLazyTokenSource', () => {
  let stack: RelayStack;
  beforeAll(async () => {
    stack = await startRelayStack();
  });
  afterAll(() => stack.close());

  const newSession = async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const { sessionId } = await client.createSession('age_over_18_germany');
    return { client, sessionId, options: { worker: false, expectedIssuer: emulatorIssuerName(stack.emulator.url) } };
  };

  it('loads the real worker layer on first use and makes a token the backend accepts', async () => {
    const { client, sessionId, options } = await newSession();
    const token = await createLazyTokenSource(client, options).obtain(sessionId);
    await expect(client.submitToken(sessionId, token)).resolves.toBeUndefined();
  });

  it('loads once: preload, then every obtain, share one import', async () => {
    const { client, sessionId, options } = await newSession();
    let loads = 0;
    const source = createLazyTokenSource(client, options, async () => {
      loads += 1;
      return import('../worker/tokenSource.ts');
    });
    source.preload();
    source.preload();
    await source.obtain(sessionId);
    await source.obtain(sessionId);
    expect(loads).toBe(1);
  });

  it('a failed load rejects with RelayNetworkError and is forgotten, so the next obtain loads again', async () => {
    const { client, sessionId, options } = await newSession();
    let loads = 0;
    const source = createLazyTokenSource(client, options, async (): Promise<TokenSourceModule> => {
      loads += 1;
      if (loads === 1) throw new TypeError('Failed to fetch dynamically imported module');
      return import('../worker/tokenSource.ts');
    });
    await expect(source.obtain(sessionId)).rejects.toBeInstanceOf(RelayNetworkError);
    expect(typeof (await source.obtain(sessionId))).toBe('string');
    expect(loads).toBe(2);
  });

  it('dispose reaches the loaded source, and is harmless before anything loaded', async () => {
    const { client, options } = await newSession();
    let disposed = 0;
    const counting: TokenSourceModule = {
      createDefaultTokenSource: (c, o): TokenSource => {
        const real = createDefaultTokenSource(c, o);
        return { obtain: real.obtain.bind(real), dispose: () => void (disposed += 1) };
      },
    };
    const source = createLazyTokenSource(client, options, () => Promise.resolve(counting));
    source.dispose();
    source.preload();
    source.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toBe(1);
  });
});
