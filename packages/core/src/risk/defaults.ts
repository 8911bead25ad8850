import type { RulePack } from './pack.js';
import churn from './packs/customer-churn.json' with { type: 'json' };
import exfiltration from './packs/employee-data-exfiltration.json' with { type: 'json' };
import flightRisk from './packs/employee-flight-risk.json' with { type: 'json' };
import diversion from './packs/post-departure-order-diversion.json' with { type: 'json' };

/**
 * The rule packs Guard ships, as JSON an analyst can copy and tune (they
 * are also in the package under `src/risk/packs/`):
 *
 * | key | id | subject | looks for |
 * |---|---|---|---|
 * | `flightRisk` | `employee-flight-risk` | employee | job hunting, interviews, competitor contact, work drying up |
 * | `exfiltration` | `employee-data-exfiltration` | employee | bulk exports, view spikes, deletes, after-hours access, customers deleted from the company's WeCom — 1.5× inside the departing window |
 * | `churn` | `customer-churn` | customer | follow-ups and orders drying up; a customer who deleted their salesperson on WeCom |
 * | `diversion` | `post-departure-order-diversion` | customer | a departed employee's former customers whose orders drop or stop, or who were deleted from (or deleted a salesperson on) WeCom around the departure |
 *
 * @example
 * ```ts
 * import { defaultRulePacks, riskEvaluator } from '@guard/core';
 * const s = await riskEvaluator(defaultRulePacks.exfiltration).score({ exports30d: 800, daysSinceResignation: 3 });
 * s.score; // 38: the bulk export's 25 points, 1.5× inside the departing window
 * (await riskEvaluator(defaultRulePacks.exfiltration).score({ contactsDeleted30d: 9 })).band; // 'alert'
 * ```
 */
export const defaultRulePacks: Readonly<{
  flightRisk: RulePack;
  exfiltration: RulePack;
  churn: RulePack;
  diversion: RulePack;
}> = Object.freeze({
  flightRisk: flightRisk as RulePack,
  exfiltration: exfiltration as RulePack,
  churn: churn as RulePack,
  diversion: diversion as RulePack,
});
