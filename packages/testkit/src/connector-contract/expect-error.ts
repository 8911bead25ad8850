import { type ConnectorError, isGuardError } from '@guard/core';
import { expect } from 'vitest';

/**
 * Awaits a call that must fail as a whole, checks that it failed with a
 * `ConnectorError` (`CONNECTOR_FAILURE`), and returns the error for more
 * checks — for a connector's own fault tests. A call that succeeds, or
 * fails with anything else, fails the test and shows what came instead.
 *
 * @example
 * ```ts
 * import { connectorErrorOf } from '@guard/testkit';
 * declare const org: import('@guard/testkit/fakes').FakeSalesforce;
 * declare const salesforce: import('@guard/core').CrmConnector;
 * org.inject({ kind: 'request-limit', on: 'query', times: 10 });
 * const error = await connectorErrorOf(salesforce.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 10 }));
 * error.params.kind; // 'rate-limited'
 * ```
 */
export async function connectorErrorOf(call: Promise<unknown> | undefined): Promise<ConnectorError> {
  const error = await Promise.resolve(call).then(
    (value) => ({ resolved: value }),
    (e: unknown) => e,
  );
  expect(
    isGuardError(error, 'CONNECTOR_FAILURE'),
    `expected a ConnectorError, got ${JSON.stringify(error) ?? String(error)}: ${String(error)}`,
  ).toBe(true);
  return error as ConnectorError;
}
