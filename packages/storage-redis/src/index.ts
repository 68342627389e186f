/** @module @cloudmfa/storage-redis */
export { createRedisStore, type RedisStoreOptions } from './createRedisStore.js';
export { dropRedisStore } from './dropRedisStore.js';
export { RECOMMENDED_REDIS_OPTIONS } from './recommendedRedisOptions.js';
