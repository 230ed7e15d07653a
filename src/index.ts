export { spawnRelayWorker } from './worker/spawn.ts';
