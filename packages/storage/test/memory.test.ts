import { createMemorySecureStore, createMemoryStore } from '@cloudmfa/storage';
import { runSecureStoreConformance, runStorageConformance } from '@cloudmfa/storage/testing';

runStorageConformance({ name: 'memory', factory: ({ clock }) => ({ store: createMemoryStore({ clock }) }), directAudit: true });
runSecureStoreConformance({ name: 'memory', factory: () => ({ store: createMemorySecureStore() }) });
