export type { DirectorySyncInput, DirectorySyncResult } from './directory.js';
