import { isGuardError } from '@guard/core';
import { wecomCallback, wecomUrlCheck } from '@guard/testkit/fakes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wecomCallbacks } from '../src/index.js';

// WeCom's published example (its encryption guide and sample libraries).
const OFFICIAL = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};
const OFFICIAL_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const OFFICIAL_BODY = `<xml>\n<ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${OFFICIAL_ENCRYPT}]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>`;
const OFFICIAL_QUERY = {
  msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
};

const rejected = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    expect(isGuardError(error, 'CALLBACK_REJECTED'), String(error)).toBe(true);
    return (error as { params: { reason: string } }).params.reason;
  }
  throw new Error('not rejected');
};

describe('wecomCallbacks', () => {
  it("decrypts WeCom's published example message (pad byte 30: Node's own unpadding would fail)", () => {
    const event = wecomCallbacks(OFFICIAL).parseEvent(OFFICIAL_QUERY, OFFICIAL_BODY);
    expect(event).toEqual({
      kind: 'other',
      msgType: 'text',
      fields: {
        ToUserName: 'wx5823bf96d3bd56c7',
        FromUserName: 'mycreate',
        CreateTime: '1409659813',
        MsgType: 'text',
        Content: 'hello',
        MsgId: '4561255354251345929',
        AgentID: '218',
      },
    });
  });

  it("verifies WeCom's published URL check and answers its plaintext", () => {
    const echo = wecomCallbacks(OFFICIAL).verifyUrl({
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    });
    expect(echo).toMatch(/^\d+$/);
  });

  it('reads the contact-change events, with a key that is the same for a retry', () => {
    const callbacks = wecomCallbacks(OFFICIAL);
    const send = (fields: Record<string, string>) => {
      const request = wecomCallback(OFFICIAL, {
        MsgType: 'event',
        Event: 'change_external_contact',
        CreateTime: '1764468000',
        ...fields,
      });
      return callbacks.parseEvent(request.query, request.body);
    };
    expect(
      send({
        ChangeType: 'del_external_contact',
        UserID: 'wangwei',
        ExternalUserID: 'wmA',
        Source: 'DELETE_BY_TRANSFER',
      }),
    ).toEqual({
      kind: 'contact-change',
      change: 'del_external_contact',
      corpId: OFFICIAL.corpId,
      userId: 'wangwei',
      externalUserId: 'wmA',
      at: '2025-11-30T02:00:00.000Z',
      eventKey: 'del_external_contact|wangwei|wmA|1764468000',
      source: 'DELETE_BY_TRANSFER',
    });
    expect(send({ ChangeType: 'del_follow_user', UserID: 'wangwei', ExternalUserID: 'wmA' })).toMatchObject({
      change: 'del_follow_user',
    });
    expect(
      send({ ChangeType: 'transfer_fail', UserID: 'lina', ExternalUserID: 'wmA', FailReason: 'customer_refused' }),
    ).toMatchObject({
      change: 'transfer_fail',
      userId: 'lina',
      failReason: 'customer_refused',
    });
    expect(
      send({
        ChangeType: 'add_external_contact',
        UserID: 'lina',
        ExternalUserID: 'wmB',
        State: '展会',
        WelcomeCode: 'WC1',
      }),
    ).toMatchObject({
      change: 'add_external_contact',
      state: '展会',
      welcomeCode: 'WC1',
    });
    expect(send({ ChangeType: 'something_new', UserID: 'lina', ExternalUserID: 'wmB' })).toMatchObject({
      kind: 'other',
    });
  });

  it('round-trips any message through the fake sender, and answers its URL check', () => {
    const callbacks = wecomCallbacks(OFFICIAL);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300, unit: 'grapheme' }).filter((t) => !/[\p{Cc}]/u.test(t)),
        fc.string({ minLength: 1, maxLength: 40 }),
        (content, echo) => {
          const request = wecomCallback(OFFICIAL, { MsgType: 'text', Content: content });
          const event = callbacks.parseEvent(request.query, request.body);
          expect(event.kind === 'other' ? (event.fields.Content ?? '') : null).toBe(content);
          expect(callbacks.verifyUrl(wecomUrlCheck(OFFICIAL, echo).query)).toBe(echo);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a wrong signature, a message for another corp, a tampered ciphertext and a body that is no callback', () => {
    const callbacks = wecomCallbacks(OFFICIAL);
    const request = wecomCallback(OFFICIAL, { MsgType: 'event', Event: 'change_external_contact' });
    expect(
      rejected(() => callbacks.parseEvent({ ...request.query, msg_signature: '0'.repeat(40) }, request.body)),
    ).toBe('signature');
    expect(rejected(() => callbacks.parseEvent({ ...request.query, nonce: '1' }, request.body))).toBe('signature');
    const elsewhere = wecomCallback({ ...OFFICIAL, corpId: 'wwother' }, { MsgType: 'event' });
    expect(rejected(() => callbacks.parseEvent(elsewhere.query, elsewhere.body))).toBe('receiver');
    expect(rejected(() => callbacks.parseEvent(request.query, '<html>no</html>'))).toBe('format');
    expect(rejected(() => callbacks.parseEvent(request.query, 'not xml at all <<<'))).toBe('format');
    const wrongKey = wecomCallbacks({ ...OFFICIAL, encodingAESKey: 'A'.repeat(43) });
    expect(rejected(() => wrongKey.parseEvent(request.query, request.body))).toBe('decrypt');
  });

  it('refuses bad options with a ValidationError', () => {
    expect(() => wecomCallbacks({ token: '', encodingAESKey: 'short', corpId: 'ww 1' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
