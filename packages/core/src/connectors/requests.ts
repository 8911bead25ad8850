import * as z from 'zod';
import { crmIdSchema, idSchema } from '../domain/entities.js';
import { ConnectorError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import type { CrmListRequest, CrmTransferRequest } from '../ports/crm.js';

const signalSchema = z
  .custom<AbortSignal>((v) => v instanceof AbortSignal, { error: validationMessage('abort-signal') })
  .optional();

const listRequestSchema = z.strictObject({
  tenantId: idSchema,
  cursor: z.string().max(4096).nullable(),
  limit: z.int().min(1).max(1_000_000),
  signal: signalSchema,
});

const transferRequestSchema = z.strictObject({
  tenantId: idSchema,
  idempotencyKey: z.string().min(1).max(256),
  moves: z
    .array(
      z.strictObject({
        customerExternalId: crmIdSchema,
        fromUserId: crmIdSchema.nullable(),
        toUserId: crmIdSchema.nullable(),
      }),
    )
    .max(100_000),
  signal: signalSchema,
});

/**
 * Checks a listing call before a connector sends anything: a tenant id, a
 * cursor (`null` or text up to 4,096 characters) and a positive `limit`,
 * which it lowers to the connector's `maxPageSize`. For connector authors,
 * so that every connector refuses bad calls the same way.
 *
 * @throws ValidationError (`what: 'CRM list request'`) naming each bad field.
 *
 * @example
 * ```ts
 * import { parseCrmListRequest } from '@guard/core';
 * const request = parseCrmListRequest({ tenantId: 'acme', cursor: null, limit: 5000 }, { maxPageSize: 2000 });
 * request.limit; // 2000
 * ```
 */
export function parseCrmListRequest(
  request: CrmListRequest,
  capabilities: { readonly maxPageSize: number },
  options: { readonly locale?: Locale } = {},
): CrmListRequest {
  const parsed = parseInput(listRequestSchema, request, {
    what: 'CRM list request',
    json: false,
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  return { ...parsed, limit: Math.min(parsed.limit, capabilities.maxPageSize) };
}

/**
 * Checks a transfer before a connector sends anything: its shape, and at
 * most `transfer.maxBatch` moves — a larger batch is refused whole with a
 * `ConnectorError` of kind `rejected`, as the connector contract requires.
 *
 * @throws ValidationError (`what: 'CRM transfer request'`) naming each bad field.
 * @throws ConnectorError (`rejected`) when the batch is larger than `maxBatch`.
 *
 * @example
 * ```ts
 * import { parseCrmTransferRequest } from '@guard/core';
 * const moves = Array.from({ length: 201 }, (_, i) => ({ customerExternalId: `001-${i}`, fromUserId: '005A', toUserId: '005B' }));
 * parseCrmTransferRequest({ tenantId: 'acme', idempotencyKey: 'k', moves }, { name: 'salesforce', maxBatch: 200 });
 * // throws ConnectorError: 201 moves in one call; at most 200
 * ```
 */
export function parseCrmTransferRequest(
  request: CrmTransferRequest,
  connector: { readonly name: string; readonly maxBatch: number },
  options: { readonly locale?: Locale } = {},
): CrmTransferRequest {
  const parsed = parseInput(transferRequestSchema, request, {
    what: 'CRM transfer request',
    json: false,
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  if (parsed.moves.length > connector.maxBatch) {
    throw new ConnectorError(
      {
        connector: connector.name,
        operation: 'transferOwnership',
        kind: 'rejected',
        detail: `${parsed.moves.length} moves in one call; at most ${connector.maxBatch}`,
      },
      options.locale === undefined ? {} : { locale: options.locale },
    );
  }
  return parsed;
}
