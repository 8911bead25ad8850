export { createGuard, type Guard, type GuardOptions, type TenantGuard } from './create-guard.js';
export type {
  CustomerView,
  ListCustomersParams,
  ListScope,
  ReadCustomerParams,
  UpsertCustomerOptions,
} from './customers.js';
export type { DirectorySyncInput, DirectorySyncResult } from './directory.js';
