// Run by sqlite.multi-process.test.ts as a child process: node --conditions=@guard/source --import tsx <this file>
import { claimRaceWorker } from '../../store-kysely/test-support/claim-race-worker.js';
import { sqliteStore } from '../src/index.js';

await claimRaceWorker((filename, prefix) => sqliteStore({ filename, tablePrefix: prefix, busyTimeoutMs: 20_000 }));
