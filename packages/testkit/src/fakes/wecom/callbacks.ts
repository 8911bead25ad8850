import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A WeCom callback's secrets, as configured for the callback URL.
 *
 * @example
 * ```ts
 * import type { WecomCallbackSecrets } from '@guard/testkit/fakes';
 * const secrets: WecomCallbackSecrets = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' };
 * ```
 */
export interface WecomCallbackSecrets {
  readonly token: string;
  readonly encodingAESKey: string;
  readonly corpId: string;
}

/**
 * A callback request as WeCom would send it: the query string (with
 * `echostr` for the URL check) and the body (empty for the URL check).
 *
 * @example
 * ```ts
 * import type { WecomCallbackRequest } from '@guard/testkit/fakes';
 * declare const request: WecomCallbackRequest;
 * await fetch(`http://127.0.0.1:3000/wecom/callback?${new URLSearchParams({ ...request.query })}`, { method: 'POST', body: request.body });
 * ```
 */
export interface WecomCallbackRequest {
  readonly query: {
    readonly msg_signature: string;
    readonly timestamp: string;
    readonly nonce: string;
    readonly echostr?: string;
  };
  readonly body: string;
}

function encrypt(secrets: WecomCallbackSecrets, message: string): string {
  const key = Buffer.from(`${secrets.encodingAESKey}=`, 'base64');
  const text = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, text, Buffer.from(secrets.corpId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

const sign = (secrets: WecomCallbackSecrets, timestamp: string, nonce: string, encrypted: string) =>
  createHash('sha1').update([secrets.token, timestamp, nonce, encrypted].sort().join('')).digest('hex');

const cdata = (value: string) => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/**
 * Encrypts and signs a callback event as WeCom does (AES-256-CBC with
 * 32-byte PKCS#7 padding, SHA-1 signature), for testing a host's callback
 * URL. `fields` are the event's XML fields (`MsgType`, `Event`,
 * `ChangeType`, `UserID`, …); `ToUserName` defaults to the corp id.
 *
 * @example
 * ```ts
 * import { wecomCallback } from '@guard/testkit/fakes';
 * const request = wecomCallback(
 *   { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' },
 *   { MsgType: 'event', Event: 'change_external_contact', ChangeType: 'del_follow_user', UserID: 'wangwei', ExternalUserID: 'wmA', CreateTime: '1764468000' },
 * );
 * request.query.msg_signature; // 40 hex characters
 * ```
 */
export function wecomCallback(
  secrets: WecomCallbackSecrets,
  fields: Readonly<Record<string, string>>,
  at: { readonly timestamp?: string; readonly nonce?: string } = {},
): WecomCallbackRequest {
  const timestamp = at.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = at.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const all = { ToUserName: secrets.corpId, FromUserName: 'sys', ...fields };
  const message = `<xml>${Object.entries(all)
    .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
    .join('')}</xml>`;
  const encrypted = encrypt(secrets, message);
  return {
    query: { msg_signature: sign(secrets, timestamp, nonce, encrypted), timestamp, nonce },
    body: `<xml><ToUserName>${cdata(secrets.corpId)}</ToUserName><AgentID>${cdata('2000003')}</AgentID><Encrypt>${cdata(encrypted)}</Encrypt></xml>`,
  };
}

/**
 * The URL check WeCom sends when a callback URL is saved: `echostr` is the
 * encrypted `echo`, which the host must decrypt and answer with.
 *
 * @example
 * ```ts
 * import { wecomUrlCheck } from '@guard/testkit/fakes';
 * const check = wecomUrlCheck({ token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' }, '8867450917');
 * check.query.echostr; // base64 ciphertext
 * ```
 */
export function wecomUrlCheck(secrets: WecomCallbackSecrets, echo: string): WecomCallbackRequest {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const echostr = encrypt(secrets, echo);
  return { query: { msg_signature: sign(secrets, timestamp, nonce, echostr), timestamp, nonce, echostr }, body: '' };
}
