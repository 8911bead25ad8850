export { decodeCursor, encodeCursor } from './cursor.js';
export { type MemoryStore, type MemoryStoreOptions, type MemoryTenantData, memoryStore } from './memory-store.js';
export { checkStorableText } from './text.js';
export { checkVersions } from './versions.js';
