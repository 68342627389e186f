export { openD1Store, type D1StoreOptions } from './openD1Store.js';
export type { D1DatabaseLike, D1ResultLike, D1StatementLike } from './d1.js';
export { D1_SCHEMA_VERSION } from './_schema.js';
