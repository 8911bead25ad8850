import type { Migration } from 'kysely';
import { auditSalts } from '../../../schema/audit-salts.js';
import { auditSeals } from '../../../schema/audit-seals.js';
import { customerUnitPaths } from '../../../schema/customer-unit-paths.js';
import { employeeContactSealed } from '../../../schema/employee-contact-sealed.js';
import { employeeCrmIdentities } from '../../../schema/employee-crm-identities.js';
import { initial } from './0001-initial.js';

/** SQLite migrations by name; names sort in the order they run. */
export function sqliteMigrations(prefix: string): Readonly<Record<string, Migration>> {
  return {
    '0001-initial': initial(prefix),
    '0002-audit-seals': auditSeals(prefix),
    '0003-audit-salts': auditSalts(prefix),
    '0004-customer-unit-paths': customerUnitPaths(prefix, {
      pathKeyType: async () => 'text',
      indexColumns: ['tenant_id', 'unit_path', 'id'],
    }),
    '0005-employee-crm-identities': employeeCrmIdentities(prefix, async () => 'text'),
    '0006-employee-contact-sealed': employeeContactSealed(prefix, 'unbounded-already'),
  };
}
