import { generateIssuerKey, issuerKeyFrom, type IssuerKey } from './issuerKey.ts';
import type { ClaimTypeConfig } from './options.ts';

/** Persona's two environments: a sandbox pass never redeems a production relay, and the reverse (PROTOCOL.md §7). */
export type RelayEnvironment = 'production' | 'sandbox';

/** Who an issuer key belongs to. */
export interface IssuerKeyOwner {
  claimType: string;
  environment: RelayEnvironment;
}

/**
 * Issuer keys per claim type and environment, made on first use and cached. Generated keys are
 * redrawn when their truncated key id (RFC 9578 §6.1) collides with another's, so the RFC issuer
 * can tell them apart.
 */
export function createIssuerKeyring(claimTypes: Record<string, ClaimTypeConfig>, defaultBits: number) {
  const pending = new Map<string, Promise<IssuerKey>>();
  const ready = new Map<string, { key: IssuerKey; owner: IssuerKeyOwner }>();

  const takenTruncatedIds = (): Set<number> => new Set([...ready.values()].map((k) => k.key.tokenKeyId[31] ?? -1));

  const make = async (claimType: string, environment: RelayEnvironment): Promise<IssuerKey> => {
    const config = claimTypes[claimType] ?? {};
    // A configured key serves production only: the sandbox has its own keys, as on Persona.
    if (config.privateKey && environment === 'production') return issuerKeyFrom(config.privateKey);
    for (;;) {
      const key = await generateIssuerKey(config.keyBits ?? defaultBits);
      if (!takenTruncatedIds().has(key.tokenKeyId[31] ?? -1)) return key;
    }
  };

  return {
    /** The key of a configured claim type in an environment (the caller checks the type is configured). */
    get(claimType: string, environment: RelayEnvironment = 'production'): Promise<IssuerKey> {
      const id = `${environment}\n${claimType}`;
      let key = pending.get(id);
      if (!key) {
        key = make(claimType, environment).then((made) => {
          ready.set(id, { key: made, owner: { claimType, environment } });
          return made;
        });
        // A failed generation must not stay cached, so the next call really retries.
        key.catch(() => pending.delete(id));
        pending.set(id, key);
      }
      return key;
    },
    /** The key a TokenRequest names by the last byte of its key id; only keys already handed out. */
    byTruncatedId(truncatedTokenKeyId: number): IssuerKey | undefined {
      for (const { key } of ready.values()) if (key.tokenKeyId[31] === truncatedTokenKeyId) return key;
      return undefined;
    },
    /** The key Persona's `key-id` names (hex SHA-256 of its rsaEncryption SPKI), with its owner; only keys already handed out. */
    byPersonaKeyId(keyId: string): { key: IssuerKey; owner: IssuerKeyOwner } | undefined {
      for (const entry of ready.values()) if (entry.key.personaTokenKeyId === keyId) return entry;
      return undefined;
    },
  };
}

/** The keyring's shape, for the routes that use it. */
export type IssuerKeyring = ReturnType<typeof createIssuerKeyring>;
