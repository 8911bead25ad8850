import type { Migration } from 'kysely';
import { auditSalts } from '../../../schema/audit-salts.js';
import { auditSeals } from '../../../schema/audit-seals.js';
import { initial } from './0001-initial.js';

/** MySQL migrations by name; names sort in the order they run. */
export function mysqlMigrations(prefix: string): Readonly<Record<string, Migration>> {
  return {
    '0001-initial': initial(prefix),
    '0002-audit-seals': auditSeals(prefix),
    '0003-audit-salts': auditSalts(prefix),
  };
}
