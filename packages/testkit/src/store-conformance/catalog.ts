import { auditSuite } from './audit-suite.js';
import { claimsSuite } from './claims-suite.js';
import { concurrencySuite } from './concurrency-suite.js';
import { customersSuite } from './customers-suite.js';
import type { ConformanceSuite } from './define-suite.js';
import { isolationSuite } from './isolation-suite.js';
import { outboxSuite } from './outbox-suite.js';
import { pagingSuite } from './paging-suite.js';
import { recordsSuite } from './records-suite.js';
import { tenantsSuite } from './tenants-suite.js';
import type { ConformanceTestInfo } from './test-names.js';
import { timersSuite } from './timers-suite.js';
import { transactionsSuite } from './transactions-suite.js';
import { workflowsSuite } from './workflows-suite.js';

/** Every suite, in the order they run. */
export const suites: readonly ConformanceSuite[] = [
  transactionsSuite,
  tenantsSuite,
  customersSuite,
  claimsSuite,
  workflowsSuite,
  recordsSuite,
  auditSuite,
  outboxSuite,
  timersSuite,
  pagingSuite,
  concurrencySuite,
  isolationSuite,
];

/**
 * Every test of the store conformance suite, in the order it runs: its full
 * name and the store capability it needs, if any. For documentation and for
 * tools; runners pass names to `optOut`.
 *
 * @example
 * ```ts
 * import { conformanceTests } from '@guard/testkit';
 * for (const t of conformanceTests) console.log(t.requires ? `${t.name} (needs ${t.requires})` : t.name);
 * ```
 */
export const conformanceTests: readonly ConformanceTestInfo[] = Object.freeze(
  suites.flatMap((suite) =>
    suite.tests.map(
      (t): ConformanceTestInfo => Object.freeze(t.requires ? { name: t.name, requires: t.requires } : { name: t.name }),
    ),
  ),
);
