import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { CallbackRejectedError, type Locale, parseInput, validationMessage } from '@guard/core';
import { XMLParser } from 'fast-xml-parser';
import * as z from 'zod';

/**
 * Options of {@link wecomCallbacks}: what the callback is configured with in
 * WeCom (客户联系 → API → 接收事件服务器, or the app's 接收消息 settings).
 *
 * @example
 * ```ts
 * import type { WecomCallbackOptions } from '@guard/crm-wecom';
 * const options: WecomCallbackOptions = {
 *   token: process.env.WECOM_CALLBACK_TOKEN ?? '',
 *   encodingAESKey: process.env.WECOM_CALLBACK_AES_KEY ?? '', // 43 characters
 *   corpId: 'ww8a1c…',
 * };
 * ```
 */
export interface WecomCallbackOptions {
  /** The callback's Token. */
  readonly token: string;
  /** The callback's EncodingAESKey: 43 characters of base64. */
  readonly encodingAESKey: string;
  /** The corp id the messages are encrypted for (a third-party app's suite id instead). */
  readonly corpId: string;
  /** The connector's name in errors. Default `wecom`. */
  readonly name?: string | undefined;
  /** The language of the errors. Default `en`. */
  readonly locale?: Locale | undefined;
}

/**
 * The query string WeCom sends with a callback. The URL check (a `GET`)
 * adds `echostr`.
 *
 * @example
 * ```ts
 * import type { WecomCallbackQuery } from '@guard/crm-wecom';
 * const query: WecomCallbackQuery = { msg_signature: '477715d1…', timestamp: '1409659813', nonce: '1372623149' };
 * ```
 */
export interface WecomCallbackQuery {
  readonly msg_signature: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly echostr?: string | undefined;
}

/**
 * What changed between a member and a customer, as WeCom's
 * `change_external_contact` event says:
 * - `add_external_contact`: the member added the customer.
 * - `add_half_external_contact`: the customer added the member, who has
 *   not confirmed yet.
 * - `edit_external_contact`: the member edited the remark, description or
 *   tags.
 * - `del_external_contact`: the member deleted the customer. `source` is
 *   `DELETE_BY_TRANSFER` when a completed transfer removed them.
 * - `del_follow_user`: the customer deleted or blocked the member.
 * - `transfer_fail`: a takeover failed. `userId` is the successor, and
 *   `failReason` says why.
 *
 * @example
 * ```ts
 * import type { WecomContactChange } from '@guard/crm-wecom';
 * const lost: WecomContactChange = 'del_follow_user';
 * ```
 */
export type WecomContactChange =
  | 'add_external_contact'
  | 'add_half_external_contact'
  | 'edit_external_contact'
  | 'del_external_contact'
  | 'del_follow_user'
  | 'transfer_fail';

/**
 * A `change_external_contact` event, decrypted and checked.
 *
 * @example
 * ```ts
 * import type { WecomContactEvent } from '@guard/crm-wecom';
 * const deleted: WecomContactEvent = {
 *   kind: 'contact-change', change: 'del_external_contact', corpId: 'ww8a1c', userId: 'wangwei', externalUserId: 'wmA1',
 *   at: '2026-11-30T02:00:00.000Z', eventKey: 'del_external_contact|wangwei|wmA1|1764468000',
 * };
 * ```
 */
export interface WecomContactEvent {
  readonly kind: 'contact-change';
  readonly change: WecomContactChange;
  readonly corpId: string;
  /** The member: who added, edited or deleted, or was deleted; for `transfer_fail`, the successor. */
  readonly userId: string;
  readonly externalUserId: string;
  /** When WeCom sent it (ISO 8601). */
  readonly at: string;
  /** The same for WeCom's retries of one event (it retries up to 3 times): record it at most once. */
  readonly eventKey: string;
  /** The 「联系我」 state or 获客链接 channel the customer came by (adds only). */
  readonly state?: string | undefined;
  /** Allows one welcome message within 20 s (adds only). */
  readonly welcomeCode?: string | undefined;
  /** `DELETE_BY_TRANSFER` when a completed transfer removed the member (deletes only). */
  readonly source?: string | undefined;
  /** Why a takeover failed (`transfer_fail` only). */
  readonly failReason?: 'customer_refused' | 'customer_limit_exceed' | undefined;
}

/**
 * Any other callback, decrypted and checked but not interpreted: its
 * message type, event and fields as WeCom sent them.
 *
 * @example
 * ```ts
 * import type { WecomOtherEvent } from '@guard/crm-wecom';
 * const other: WecomOtherEvent = { kind: 'other', msgType: 'event', event: 'change_external_chat', fields: { ChatId: 'wr1' } };
 * ```
 */
export interface WecomOtherEvent {
  readonly kind: 'other';
  readonly msgType: string;
  readonly event?: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * What {@link wecomCallbacks} returns: the two requests a callback URL
 * answers.
 *
 * @example
 * ```ts
 * import { wecomCallbacks, type WecomCallbacks } from '@guard/crm-wecom';
 * const callbacks: WecomCallbacks = wecomCallbacks({ token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' });
 * ```
 */
export interface WecomCallbacks {
  /**
   * The URL check (`GET`): verifies the signature, decrypts `echostr`, and
   * returns the plaintext to answer with — bare, with no quotes or newline,
   * within 1 s.
   */
  verifyUrl(query: WecomCallbackQuery): string;
  /**
   * An event (`POST`): verifies the signature, decrypts the body and checks
   * it was encrypted for this corp. Answer 200 with an empty body within
   * 5 s; record slow work (signals, alerts) after answering.
   */
  parseEvent(query: WecomCallbackQuery, body: string): WecomContactEvent | WecomOtherEvent;
}

const optionsSchema = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9]{3,32}$/),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9+/]{43}$/),
  corpId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, validationMessage('crm-id')),
  name: z.string().min(1).max(64).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
});

const CHANGES = new Set<string>([
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
]);

// fast-xml-parser: callbacks are XML; values stay strings (CreateTime too), CDATA is read as text.
const xml = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  processEntities: false,
});

/**
 * Reads WeCom's encrypted callbacks (the URL check and events): checks the
 * SHA-1 signature over the Token, timestamp, nonce and ciphertext, decrypts
 * with AES-256-CBC under the EncodingAESKey, and checks the message was
 * encrypted for this corp. `change_external_contact` events come back typed
 * ({@link WecomContactEvent}); the two that matter most to Guard are
 * `del_external_contact` (the employee deleted a customer) and
 * `del_follow_user` (the customer deleted the employee).
 *
 * @throws ValidationError (`what: 'connector options'`) naming each bad option.
 * @throws CallbackRejectedError from `verifyUrl` and `parseEvent` when a check fails; answer 403 (400 for `format`).
 *
 * @example
 * ```ts
 * import { wecomCallbacks } from '@guard/crm-wecom';
 * const callbacks = wecomCallbacks({ token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' });
 * // GET  /wecom/callback?msg_signature=…&timestamp=…&nonce=…&echostr=…  → reply callbacks.verifyUrl(query)
 * // POST /wecom/callback?msg_signature=…&timestamp=…&nonce=…            → const event = callbacks.parseEvent(query, body)
 * ```
 */
export function wecomCallbacks(options: WecomCallbackOptions): WecomCallbacks {
  const parsed = parseInput(optionsSchema, options, { what: 'connector options', locale: options?.locale ?? 'en' });
  const name = parsed.name ?? 'wecom';
  const key = Buffer.from(`${parsed.encodingAESKey}=`, 'base64');
  const reject = (reason: 'signature' | 'decrypt' | 'receiver' | 'format') =>
    new CallbackRejectedError(
      { connector: name, reason },
      parsed.locale === undefined ? {} : { locale: parsed.locale },
    );

  const checkSignature = (query: WecomCallbackQuery, encrypted: string) => {
    const given = String(query?.msg_signature ?? '');
    const expected = createHash('sha1')
      .update([parsed.token, String(query?.timestamp ?? ''), String(query?.nonce ?? ''), encrypted].sort().join(''))
      .digest('hex');
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw reject('signature');
    }
  };

  /** AES-256-CBC, IV = the key's first 16 bytes, PKCS#7 to 32-byte blocks; then random(16) | length(4) | message | receiver. */
  const decrypt = (encrypted: string): string => {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      // Node's own unpadding assumes 16-byte blocks; WeCom pads to 32.
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
    } catch {
      throw reject('decrypt');
    }
    const pad = plain.at(-1) ?? 0;
    if (pad < 1 || pad > 32 || plain.length < 20 + pad) throw reject('decrypt');
    const body = plain.subarray(16, plain.length - pad);
    const length = body.readUInt32BE(0);
    if (length > body.length - 4) throw reject('decrypt');
    const message = body.subarray(4, 4 + length).toString('utf8');
    const receiver = body.subarray(4 + length).toString('utf8');
    if (receiver !== parsed.corpId) throw reject('receiver');
    return message;
  };

  const fieldsOf = (text: string): Record<string, string> => {
    let tree: unknown;
    try {
      tree = xml.parse(text);
    } catch {
      throw reject('format');
    }
    const root = (tree as { xml?: unknown } | null)?.xml;
    if (typeof root !== 'object' || root === null) throw reject('format');
    return Object.fromEntries(
      Object.entries(root as Record<string, unknown>).flatMap(([k, v]) =>
        !k.startsWith('#') && (typeof v === 'string' || typeof v === 'number') ? [[k, String(v)]] : [],
      ),
    );
  };

  return {
    verifyUrl(query) {
      const echostr = String(query?.echostr ?? '');
      if (echostr === '') throw reject('format');
      checkSignature(query, echostr);
      return decrypt(echostr);
    },
    parseEvent(query, body) {
      const envelope = fieldsOf(String(body ?? ''));
      const encrypted = envelope.Encrypt;
      if (encrypted === undefined || encrypted === '') throw reject('format');
      checkSignature(query, encrypted);
      const fields = fieldsOf(decrypt(encrypted));
      const msgType = fields.MsgType ?? '';
      const createTime = Number(fields.CreateTime);
      if (
        msgType === 'event' &&
        fields.Event === 'change_external_contact' &&
        CHANGES.has(fields.ChangeType ?? '') &&
        fields.UserID !== undefined &&
        fields.ExternalUserID !== undefined &&
        Number.isSafeInteger(createTime)
      ) {
        const change = fields.ChangeType as WecomContactChange;
        const failReason = fields.FailReason;
        return {
          kind: 'contact-change',
          change,
          corpId: fields.ToUserName ?? parsed.corpId,
          userId: fields.UserID,
          externalUserId: fields.ExternalUserID,
          at: new Date(createTime * 1000).toISOString(),
          eventKey: [change, fields.UserID, fields.ExternalUserID, createTime].join('|'),
          ...(fields.State === undefined ? {} : { state: fields.State }),
          ...(fields.WelcomeCode === undefined ? {} : { welcomeCode: fields.WelcomeCode }),
          ...(fields.Source === undefined ? {} : { source: fields.Source }),
          ...(failReason === 'customer_refused' || failReason === 'customer_limit_exceed' ? { failReason } : {}),
        };
      }
      return {
        kind: 'other',
        msgType,
        ...(fields.Event === undefined ? {} : { event: fields.Event }),
        fields,
      };
    },
  };
}
