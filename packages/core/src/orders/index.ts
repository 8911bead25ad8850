export { ORDER_KIND, type OrderInput, type OrdersApi, type UpsertOrdersResult } from './orders.js';
