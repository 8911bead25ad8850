/**
 * Guard's WeCom (企业微信) connector on `fetch`: customers and the members
 * who follow them, 在职继承 and 离职继承 transfers of at most 100 that
 * complete 24 hours later, and WeCom's limit of transfers per customer kept.
 *
 * @example
 * ```ts
 * import { checkConnector } from '@guard/core';
 * import { wecomConnector } from '@guard/crm-wecom';
 * const wecom = checkConnector(
 *   wecomConnector({ corpId: 'ww8a1c…', corpSecret: process.env.WECOM_CONTACT_SECRET ?? '', poolUserId: 'gonghai' }),
 *   ['customer-sync', 'ownership-transfer'],
 * );
 * ```
 *
 * @packageDocumentation
 */

export {
  type WecomCallbackOptions,
  type WecomCallbackQuery,
  type WecomCallbacks,
  type WecomContactChange,
  type WecomContactEvent,
  type WecomOtherEvent,
  wecomCallbacks,
} from './callbacks.js';
export {
  type WecomConnector,
  type WecomContactStats,
  type WecomContactStatsRequest,
  wecomConnector,
} from './connector.js';
export { memoryTransferLedger, type WecomTransferLedger } from './ledger.js';
export type { WecomConnectorOptions } from './options.js';
export {
  type WecomSignalIds,
  type WecomSignalMapper,
  wecomSignals,
} from './signals.js';
