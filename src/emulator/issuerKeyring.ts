import { generateIssuerKey, issuerKeyFrom, type IssuerKey } from './issuerKey.ts';
import type { ClaimTypeConfig } from './options.ts';

/**
 * Issuer keys per claim type, made on first use and cached. Generated keys are redrawn when their
 * truncated key id (RFC 9578 §6.1) collides with another type's, so the issuer can tell them apart.
 */
export function createIssuerKeyring(claimTypes: Record<string, ClaimTypeConfig>, defaultBits: number) {
  const pending = new Map<string, Promise<IssuerKey>>();
  const ready = new Map<string, IssuerKey>();

  const takenTruncatedIds = (): Set<number> => new Set([...ready.values()].map((k) => k.tokenKeyId[31] ?? -1));

  const make = async (claimType: string): Promise<IssuerKey> => {
    const config = claimTypes[claimType] ?? {};
    if (config.privateKey) return issuerKeyFrom(config.privateKey);
    for (;;) {
      const key = await generateIssuerKey(config.keyBits ?? defaultBits);
      if (!takenTruncatedIds().has(key.tokenKeyId[31] ?? -1)) return key;
    }
  };

  return {
    /** The key of a configured claim type (the caller checks the type is configured). */
    get(claimType: string): Promise<IssuerKey> {
      let key = pending.get(claimType);
      if (!key) {
        key = make(claimType).then((made) => {
          ready.set(claimType, made);
          return made;
        });
        // A failed generation must not stay cached, so the next call really retries.
        key.catch(() => pending.delete(claimType));
        pending.set(claimType, key);
      }
      return key;
    },
    /** The key a TokenRequest names by the last byte of its key id; only keys already handed out. */
    byTruncatedId(truncatedTokenKeyId: number): IssuerKey | undefined {
      for (const key of ready.values()) if (key.tokenKeyId[31] === truncatedTokenKeyId) return key;
      return undefined;
    },
  };
}

/** The keyring's shape, for the routes that use it. */
export type IssuerKeyring = ReturnType<typeof createIssuerKeyring>;
