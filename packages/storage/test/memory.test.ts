import { createMemorySecureStore, createMemoryStore } from '@cloudmfa/storage';
import { runSecureStoreConformance, runStorageConformance } from '@cloudmfa/storage/testing';

runStorageConformance('memory', ({ clock }) => ({ store: createMemoryStore({ clock }) }));
runSecureStoreConformance('memory', () => ({ store: createMemorySecureStore() }));
