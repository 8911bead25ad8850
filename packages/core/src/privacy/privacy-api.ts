import * as z from 'zod';
import type { AuditDraft } from '../audit/index.js';
import { type ActorRef, actorRefSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, HOST_ACTOR, withTenant } from '../kernel/context.js';

/**
 * What {@link PrivacyApi.rotateKeys} did.
 *
 * @example
 * ```ts
 * import type { KeyRotationResult } from '@guard/core';
 * const show = (r: KeyRotationResult) => `${r.rewrapped} of ${r.checked} data keys moved to the current key`;
 * ```
 */
export interface KeyRotationResult {
  /** Data keys looked at: every one the tenant has. */
  readonly checked: number;
  /** Data keys that were wrapped with an older key and are now wrapped with the current one. */
  readonly rewrapped: number;
}

/**
 * Personal data at rest: the per-subject data keys that encrypt customers'
 * field classes.
 *
 * @example
 * ```ts
 * // After making a new `data-key` key current (keeping the old one):
 * const { checked, rewrapped } = await guard.tenant('acme').privacy.rotateKeys();
 * // every data key is now wrapped with the new key: the old one may be retired
 * ```
 */
export interface PrivacyApi {
  /**
   * Rewraps every data key of the tenant that an older `data-key` key
   * wrapped with the provider's current one, a page per transaction (each
   * page that changed something audited as `privacy.keys-rotate`). The data
   * keys, and what they encrypt, stay as they are: nothing is re-encrypted
   * and the tenant keeps working meanwhile. Afterwards the old key may be
   * removed from the provider. Safe to run again, and to resume after a
   * failure.
   */
  rotateKeys(options?: { readonly actor?: ActorRef; readonly pageSize?: number }): Promise<KeyRotationResult>;
}

const rotateOptionsSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  pageSize: z.int().min(1).max(1000).optional(),
});

/** The tenant's {@link PrivacyApi}. */
export function privacyApi(ctx: GuardContext, tenantId: string): PrivacyApi {
  return {
    async rotateKeys(options = {}) {
      const { actor = HOST_ACTOR, pageSize = 200 } = parseInput(rotateOptionsSchema, options, {
        what: 'key rotation options',
        locale: ctx.locale,
      });
      let checked = 0;
      let rewrapped = 0;
      let cursor: string | null = null;
      do {
        const after: string | null = cursor;
        const page = await withTenant(ctx, tenantId, async (tx) => {
          const now = ctx.clock.now().toISOString();
          const result = await ctx.dataKeys.rewrap(
            tx,
            tenantId,
            { limit: pageSize, ...(after === null ? {} : { cursor: after }) },
            now,
          );
          const audit: AuditDraft[] =
            result.rewrapped === 0
              ? []
              : [
                  {
                    actor,
                    action: 'privacy.keys-rotate',
                    subject: { type: 'tenant', id: tenantId },
                    data: { checked: result.checked, rewrapped: result.rewrapped },
                  },
                ];
          return { result, audit };
        });
        checked += page.checked;
        rewrapped += page.rewrapped;
        cursor = page.nextCursor;
      } while (cursor !== null);
      return { checked, rewrapped };
    },
  };
}
