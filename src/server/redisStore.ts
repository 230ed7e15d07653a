import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { StoreUnavailableError, storeUnavailableCode, type RateWindow, type RelayStore, type SessionRecord } from './store.ts';

/**
 * The one thing RedisStore needs from a client: node-redis v5's `sendCommand` fits, and so does any
 * wrapper with the same shape (ioredis users can adapt `call`).
 */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of `RedisStore`: a ready client (the app owns its lifecycle) or a URL (the store owns it). */
export type RedisStoreOptions = {
  /** Key prefix, so several apps or tests can share a database. Default `relay:`. */
  prefix?: string;
  /** A command (or the first connect) unanswered for this long fails with a 503 instead of hanging the request. Default 2000. */
  commandTimeoutMs?: number;
} & ({ client: RedisCommandClient; url?: never } | { url: string; client?: never });

/** Code of the `StoreUnavailableError` every RedisStore method throws when Redis cannot answer. */
export { storeUnavailableCode };

// Compare-and-set on the version inside the stored JSON, so two instances can never both win.
const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or type(record) ~= 'table' or record.version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

// Each refund carries its own deadline (Redis time), since the list's TTL is refreshed by every push.
const pushRefundScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('RPUSH', KEYS[1], tostring(now + ttl) .. ':' .. ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

// LPOP hands each token to one caller; expired ones are dropped on the way.
const popRefundScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
while true do
  local item = redis.call('LPOP', KEYS[1])
  if not item then return false end
  local sep = string.find(item, ':', 1, true)
  local deadline = sep and tonumber(string.sub(item, 1, sep - 1))
  if deadline and deadline > now then return string.sub(item, sep + 1) end
end`;

// A fixed window: the first hit sets the TTL; a key left without one (a crash between the two calls
// cannot happen in a script, but an older writer might have) gets it here rather than counting forever.
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

// Only the owner named in the lock's value may free it: a lapsed owner must not free its successor's lock.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// Sessions reconcile must visit, scored by the epoch ms after which they no longer matter (Redis time).
const listPendingScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)`;

// Lapsed entries go on every add, and the set expires with its last entry: no key without a TTL, even
// for an app that never calls reconcile.
const addPendingScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then
  local ttl = tonumber(last[2]) - now
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1`;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const scripts = {
  compareAndSet: script(compareAndSetScript),
  pushRefund: script(pushRefundScript),
  popRefund: script(popRefundScript),
  increment: script(incrementScript),
  release: script(releaseScript),
  renew: script(renewScript),
  listPending: script(listPendingScript),
  addPending: script(addPendingScript),
};

/** The part of a node-redis client created from a URL that the store uses (connect, commands, teardown). */
interface OwnedClient extends RedisCommandClient {
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/**
 * A RelayStore on Redis, for several app instances behind one load balancer: sessions, redeem locks
 * and refunded tokens are shared, and every method is one atomic Redis operation.
 */
export class RedisStore implements RelayStore {
  readonly #prefix: string;
  readonly #client: Promise<RedisCommandClient>;
  readonly #timeoutMs: number;
  #owned: OwnedClient | undefined;

  constructor(options: RedisStoreOptions) {
    this.#prefix = options.prefix ?? 'relay:';
    this.#timeoutMs = options.commandTimeoutMs ?? 2000;
    if (options.client) {
      this.#client = Promise.resolve(options.client);
    } else {
      this.#client = this.#open(options.url);
      // A failed first connect is reported by each call; never as an unhandled rejection.
      this.#client.catch(() => undefined);
    }
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const raw = await this.#run(['GET', this.#sessionKey(id)]);
    return typeof raw === 'string' ? parseRecord(raw) : undefined;
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    const reply = await this.#run(['SET', this.#sessionKey(record.id), JSON.stringify(record), 'NX', 'PX', pxArg(ttlMs)]);
    return reply === 'OK';
  }

  async compareAndSet(next: SessionRecord, expectedVersion: number, ttlMs: number): Promise<boolean> {
    const reply = await this.#eval(scripts.compareAndSet, [this.#sessionKey(next.id)], [
      String(expectedVersion),
      JSON.stringify(next),
      pxArg(ttlMs),
    ]);
    return reply === 1;
  }

  async acquire(key: string, ttlMs: number, owner?: string): Promise<boolean> {
    const reply = await this.#run(['SET', `${this.#prefix}lock:${key}`, owner ?? '1', 'NX', 'PX', pxArg(ttlMs)]);
    return reply === 'OK';
  }

  async release(key: string, owner?: string): Promise<void> {
    if (owner === undefined) await this.#run(['DEL', `${this.#prefix}lock:${key}`]);
    else await this.#eval(scripts.release, [`${this.#prefix}lock:${key}`], [owner]);
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.#eval(scripts.renew, [`${this.#prefix}lock:${key}`], [owner, pxArg(ttlMs)])) === 1;
  }

  async addPending(id: string, untilMs: number): Promise<void> {
    // GT: a later deadline wins, an earlier one never shortens the entry.
    await this.#eval(scripts.addPending, [`${this.#prefix}pending`], [String(Math.ceil(untilMs)), id]);
  }

  async listPending(limit: number): Promise<string[]> {
    const reply = await this.#eval(scripts.listPending, [`${this.#prefix}pending`], [String(Math.max(1, Math.floor(limit)))]);
    return Array.isArray(reply) ? reply.filter((id): id is string => typeof id === 'string') : [];
  }

  async removePending(id: string): Promise<void> {
    await this.#run(['ZREM', `${this.#prefix}pending`, id]);
  }

  async pushRefund(claimType: string, token: string, ttlMs: number): Promise<void> {
    await this.#eval(scripts.pushRefund, [this.#refundKey(claimType)], [token, pxArg(ttlMs)]);
  }

  async popRefund(claimType: string): Promise<string | undefined> {
    const reply = await this.#eval(scripts.popRefund, [this.#refundKey(claimType)], []);
    return typeof reply === 'string' ? reply : undefined;
  }

  async increment(key: string, windowMs: number): Promise<RateWindow> {
    const reply = await this.#eval(scripts.increment, [`${this.#prefix}rate:${key}`], [pxArg(windowMs)]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') throw new StoreUnavailableError('unreadable counter reply');
    return { count: reply[0], resetInMs: reply[1] };
  }

  /** Disconnects a client the store created from a URL; a client passed in is left to its owner. */
  close(): Promise<void> {
    this.#owned?.destroy();
    this.#owned = undefined;
    return Promise.resolve();
  }

  #sessionKey(id: string): string {
    return `${this.#prefix}session:${id}`;
  }

  #refundKey(claimType: string): string {
    return `${this.#prefix}refunds:${claimType}`;
  }

  async #open(url: string): Promise<RedisCommandClient> {
    const client = createClient({
      url,
      // Queued commands would hang requests while Redis is away; failing fast lets the handler answer 503.
      disableOfflineQueue: true,
      socket: { connectTimeout: this.#timeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    });
    const owned: OwnedClient = {
      sendCommand: (args) => client.sendCommand(args),
      connect: () => client.connect(),
      destroy: () => { client.destroy(); },
      on: (event, listener) => client.on(event, listener),
    };
    // node-redis emits 'error' on every lost connection; without a listener Node would crash the app.
    owned.on('error', () => undefined);
    this.#owned = owned;
    await owned.connect();
    return owned;
  }

  async #eval(s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#send(['EVALSHA', s.sha, String(keys.length), ...keys, ...args]);
    } catch (error) {
      if (!isNoScript(error)) throw unavailable(error);
    }
    return this.#run(['EVAL', s.source, String(keys.length), ...keys, ...args]);
  }

  async #run(args: string[]): Promise<unknown> {
    try {
      return await this.#send(args);
    } catch (error) {
      throw unavailable(error);
    }
  }

  // Our own deadline, not the client's: it covers clients passed in, the first connect, and a hung
  // server. A write that lands after the deadline is harmless: records are whole and locks expire.
  async #send(args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => { reject(new Error('Redis command timed out')); }, this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#client.then((client) => client.sendCommand(args)), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function pxArg(ttlMs: number): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive number of milliseconds');
  return String(Math.ceil(ttlMs));
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function unavailable(cause: unknown): StoreUnavailableError {
  if (cause instanceof StoreUnavailableError) return cause;
  // No detail: a Redis error can quote the URL, and its password, back.
  return new StoreUnavailableError(undefined, cause);
}

function parseRecord(raw: string): SessionRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new StoreUnavailableError('unreadable session record', error);
  }
  if (!isRecordShape(value)) {
    throw new StoreUnavailableError('unreadable session record');
  }
  return value;
}

function isRecordShape(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.claimType === 'string' && typeof r.version === 'number' && typeof r.status === 'string';
}
