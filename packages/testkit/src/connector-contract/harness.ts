import type { CrmActivity, CrmConnector, CrmEmployeeRef, CrmOrder } from '@guard/core';

/**
 * A CRM user as a test puts it into the CRM: its id there, and what a
 * connector may match an employee on (`CrmEmployeeRef`'s fields).
 *
 * @example
 * ```ts
 * import type { CrmUserSeed } from '@guard/testkit';
 * const wang: CrmUserSeed = { userId: '005xx07', email: 'wang@acme.cn', mobile: '13812345678', name: '王伟' };
 * ```
 */
export interface CrmUserSeed extends Omit<CrmEmployeeRef, 'employeeId'> {
  readonly userId: string;
}

/**
 * What a contract test puts into the CRM before it calls the connector.
 *
 * @example
 * ```ts
 * import type { CrmSeed } from '@guard/testkit';
 * const seed: CrmSeed = { users: [{ userId: 'u-1', email: 'wang@acme.cn' }], customers: [{ externalId: 'a-1', name: '华东机电', ownerUserId: 'u-1' }] };
 * ```
 */
export interface CrmSeed {
  readonly users?: readonly CrmUserSeed[];
  readonly customers?: readonly { externalId: string; name: string; ownerUserId: string | null }[];
  readonly orders?: readonly CrmOrder[];
  readonly activities?: readonly CrmActivity[];
}

/**
 * A connector under test and the CRM behind it — a fake server speaking the
 * CRM's wire format, or {@link memoryCrm} — which the contract suite reads
 * and changes from the CRM's side.
 *
 * @example
 * ```ts
 * import { memoryCrm, type ConnectorHarness } from '@guard/testkit';
 * const harness: ConnectorHarness = memoryCrm();
 * await harness.seed({ users: [{ userId: 'u-1' }] });
 * ```
 */
export interface ConnectorHarness {
  readonly connector: CrmConnector;
  /** Adds users, customers, orders and activities to the CRM, as changes made now. */
  seed(data: CrmSeed): Promise<void>;
  /** Changes a customer in the CRM, as someone working in the CRM would. */
  change(externalId: string, change: { readonly name?: string; readonly ownerUserId?: string | null }): Promise<void>;
  /** The customer's owner as the CRM has it now. */
  ownerOf(externalId: string): Promise<string | null>;
  /** Lets transfers that complete later complete now (WeCom's 24 hours). */
  settlePending(): Promise<void>;
  cleanup(): Promise<void>;
}
