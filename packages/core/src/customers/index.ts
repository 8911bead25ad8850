export type {
  CustomerView,
  ListCustomersParams,
  ListScope,
  ReadCustomerParams,
  UpsertCustomerOptions,
} from './customers.js';
