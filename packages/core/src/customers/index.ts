export {
  type CustomerView,
  type ListCustomersParams,
  type ListScope,
  MAX_CUSTOMER_BATCH,
  type ReadCustomerParams,
  type UpsertCustomerOptions,
  type UpsertCustomersOptions,
  type UpsertCustomersResult,
} from './customers.js';
