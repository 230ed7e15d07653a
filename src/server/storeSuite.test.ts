import { MemoryStore } from './index.ts';
import { runStoreSuite } from '../../test/support/storeSuite.ts';

// RedisStore runs the same suite in redisStore.test.ts, against a real redis-server.
runStoreSuite('MemoryStore', () => new MemoryStore());
