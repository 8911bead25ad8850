export { type DataKey, DataKeys, type DataSubject } from './data-keys.js';
export { protectedStore, SEALED_FIELDS } from './protected-store.js';
