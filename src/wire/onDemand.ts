import { RelayNetworkError } from './errors.ts';

/**
 * Imports a chunk the kit loads on demand. A failed import is a transient `RelayNetworkError` titled
 * `title`; nothing is remembered, so the next call fetches again (a connection lost for a moment, a
 * deploy in between).
 */
export async function loadOnDemand<T>(load: () => Promise<T>, title: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new RelayNetworkError({ title, cause });
  }
}
