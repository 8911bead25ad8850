import {
  type ConnectorOptions,
  connectorOptionsShape,
  connectorUrlSchema,
  parseConnectorOptions,
  validationMessage,
} from '@guard/core';
import * as z from 'zod';
import type { WecomTransferLedger } from './ledger.js';

/**
 * Options of `wecomConnector`. One connector serves one WeCom corp.
 *
 * @example
 * ```ts
 * import type { WecomConnectorOptions } from '@guard/crm-wecom';
 * const options: WecomConnectorOptions = {
 *   corpId: 'ww8a1c…',
 *   corpSecret: process.env.WECOM_CONTACT_SECRET ?? '', // the 客户联系 secret
 *   poolUserId: 'gonghai', // the member who holds customers returned to the public pool
 * };
 * ```
 */
export interface WecomConnectorOptions extends ConnectorOptions {
  /** The corp's id (企业ID), `ww…`. */
  readonly corpId: string;
  /** The 客户联系 secret, or the secret of a self-built app allowed to call the customer-contact API. */
  readonly corpSecret: string;
  /** The API's base URL. Default `https://qyapi.weixin.qq.com`; plain `http` only on loopback, for fakes. */
  readonly baseUrl?: string | undefined;
  /**
   * The member who holds customers returned to the public pool (公海):
   * WeCom has no unowned customers, so customers this member follows are
   * unowned to Guard, and moves to nobody go to this member. Without it,
   * such moves fail with `NO_POOL_MEMBER`.
   */
  readonly poolUserId?: string | undefined;
  /** WeCom's limit on 在职继承 transfers of one customer. Default 2 in 90 days. */
  readonly transferLimit?: { readonly count: number; readonly days: number } | undefined;
  /**
   * Where the connector counts the transfers it started, to keep under
   * `transferLimit`. Default: in memory, which forgets on restart — give a
   * persistent one in production.
   */
  readonly transferLedger?: WecomTransferLedger | undefined;
  /** The message the customer sees when a colleague takes over (在职继承 only), at most 200 characters. */
  readonly transferMessage?: string | undefined;
}

const userid = z.string().regex(/^[^\p{Cc}]{1,64}$/u, validationMessage('crm-id'));

export const optionsSchema = z.strictObject({
  corpId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, validationMessage('crm-id')),
  corpSecret: z.string().min(1).max(256),
  baseUrl: connectorUrlSchema.optional(),
  poolUserId: userid.optional(),
  transferLimit: z.strictObject({ count: z.int().min(1).max(100), days: z.int().min(1).max(3650) }).optional(),
  transferLedger: z
    .custom<WecomTransferLedger>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as WecomTransferLedger).count === 'function' &&
        typeof (v as WecomTransferLedger).record === 'function',
      { error: validationMessage('function') },
    )
    .optional(),
  transferMessage: z.string().min(1).max(200).optional(),
  ...connectorOptionsShape,
});

export type ParsedOptions = z.output<typeof optionsSchema>;

export function parseOptions(options: WecomConnectorOptions): ParsedOptions {
  return parseConnectorOptions(optionsSchema, options);
}
