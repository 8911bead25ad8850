import fc from 'fast-check';

/**
 * Property tests run at least 1,000 times each (issue #2); set FC_NUM_RUNS to
 * explore more (soak) or fewer (while iterating on one test).
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 1000);
fc.configureGlobal({ numRuns: Number.isFinite(numRuns) && numRuns > 0 ? numRuns : 1000 });
