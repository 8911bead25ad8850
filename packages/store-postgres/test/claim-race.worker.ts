// Run by postgres.multi-process.test.ts as a child process: node --conditions=@guard/source --import tsx <this file>
import { claimRaceWorker } from '../../store-kysely/test-support/claim-race-worker.js';
import { postgresStore } from '../src/index.js';

await claimRaceWorker((url, prefix) => postgresStore({ connectionString: url, tablePrefix: prefix, max: 2 }));
