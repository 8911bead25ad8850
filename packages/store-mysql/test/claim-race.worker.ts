// Run by mysql.multi-process.test.ts as a child process: node --conditions=@guard/source --import tsx <this file>
import { claimRaceWorker } from '../../store-kysely/test-support/claim-race-worker.js';
import { mysqlStore } from '../src/index.js';

await claimRaceWorker((uri, prefix) => mysqlStore({ uri, tablePrefix: prefix, connectionLimit: 2 }));
