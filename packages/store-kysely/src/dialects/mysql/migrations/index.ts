import type { Migration } from 'kysely';
import { auditSalts } from '../../../schema/audit-salts.js';
import { auditSeals } from '../../../schema/audit-seals.js';
import { customerUnitPaths } from '../../../schema/customer-unit-paths.js';
import { employeeContactSealed } from '../../../schema/employee-contact-sealed.js';
import { employeeCrmIdentities } from '../../../schema/employee-crm-identities.js';
import { initial, MYSQL_TYPES } from './0001-initial.js';

/** MySQL migrations by name; names sort in the order they run. */
export function mysqlMigrations(prefix: string): Readonly<Record<string, Migration>> {
  return {
    '0001-initial': initial(prefix),
    '0002-audit-seals': auditSeals(prefix),
    '0003-audit-salts': auditSalts(prefix),
    '0004-customer-unit-paths': customerUnitPaths(prefix, {
      pathKeyType: async () => MYSQL_TYPES.pathKey,
      // (tenant_id, unit_path, id) would pass InnoDB's 3,072-byte key limit; InnoDB appends the primary key (tenant_id, id) to the index.
      indexColumns: ['tenant_id', 'unit_path'],
    }),
    '0005-employee-crm-identities': employeeCrmIdentities(prefix, async () => MYSQL_TYPES.json),
    '0006-employee-contact-sealed': employeeContactSealed(prefix, 'modify-column'),
  };
}
