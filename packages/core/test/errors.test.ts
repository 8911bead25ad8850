import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  alertTitle,
  ConflictError,
  customerSchema,
  didYouMean,
  formatPath,
  GuardError,
  isGuardError,
  locales,
  messages,
  NotFoundError,
  parseInput,
  type ValidationError,
} from '../src/index.js';

describe('GuardError', () => {
  it('carries a code, a message that says what was wrong, and a hint that says what to do', () => {
    const error = new ConflictError({ entity: 'customer', id: 'c-1', expected: 3, actual: 4 });
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('Customer "c-1" changed in the meantime (expected version 3, found 4).');
    expect(error.hint).toMatch(/Reload/);
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toBeInstanceOf(Error);
    expect(error.toJSON()).toMatchObject({ code: 'CONFLICT', params: { id: 'c-1' } });
  });

  it('speaks zh-CN and can be re-rendered in another locale', () => {
    const error = new NotFoundError({ entity: 'customer', id: 'c-9', tenantId: 'acme' }, { locale: 'zh-CN' });
    expect(error.message).toBe('租户「acme」中找不到客户「c-9」。');
    expect(error.localize('en').message).toBe('Customer "c-9" was not found in tenant "acme".');
  });

  it('keeps the original error as cause', () => {
    const cause = new Error('socket hang up');
    expect(new NotFoundError({ entity: 'tenant', id: 't' }, { cause }).cause).toBe(cause);
  });

  it('is recognised across duplicated copies of the package', async () => {
    // A query string makes the bundler load a second, independent copy of the module.
    const specifier = '../src/errors/guard-error.js?duplicate';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/errors/guard-error.js');
    const foreign = new copy.NotFoundError({ entity: 'customer', id: 'c-1' });
    expect(foreign).not.toBeInstanceOf(GuardError);
    expect(isGuardError(foreign)).toBe(true);
    expect(isGuardError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isGuardError(foreign, 'CONFLICT')).toBe(false);
    expect(isGuardError(new Error('x'))).toBe(false);
    expect(isGuardError({ code: 'NOT_FOUND' })).toBe(false);
    expect(isGuardError(null)).toBe(false);
  });
});

describe('parseInput', () => {
  it('names every bad path in the message and in issues', () => {
    const bad = { id: 'has space', name: '', ownerId: null, unitId: 'u', fields: { contact: { phone: {} } } };
    const error = (() => {
      try {
        parseInput(customerSchema, bad, { what: 'customer' });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error.issues.map((i) => formatPath(i.path))).toEqual(['id', 'name', 'fields.contact.phone']);
    for (const path of ['id:', 'name:', 'fields.contact.phone:']) expect(error.message).toContain(path);
    expect(error.hint).toMatch(/Nothing was written/);
  });

  it('localises zod messages in zh-CN', () => {
    expect(() =>
      parseInput(z.strictObject({ n: z.number() }), { n: 'x' }, { what: 'read request', locale: 'zh-CN' }),
    ).toThrow('查看请求无效，共 1 处问题：n: 必须是数字（收到的是字符串）。');
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects the prototype-polluting key %s with its path', (key) => {
    const input = JSON.parse(`{"id":"c1","name":"n","ownerId":null,"unitId":"u","fields":{"public":{"${key}":1}}}`);
    expect(() => parseInput(customerSchema, input, { what: 'customer' })).toThrow(
      new RegExp(`fields\\.public(\\.${key}|\\["${key}"\\]): the key "${key}" is not allowed`),
    );
  });

  it('rejects absurdly deep nesting before validating', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(() => parseInput(z.unknown(), deep, { what: 'signal' })).toThrow(/nested more than 64 levels deep/);
  });

  it('formats paths as code would', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['employees', 3, 'unitId'])).toBe('employees[3].unitId');
    expect(formatPath(['fields', 'a-b'])).toBe('fields["a-b"]');
  });
});

describe('messages', () => {
  it('has every message in every locale, and none is empty', () => {
    const shape = (catalog: ReturnType<typeof messages>) =>
      Object.fromEntries(
        Object.entries(catalog).map(([section, entries]) => [section, Object.keys(entries as object).sort()]),
      );
    expect(shape(messages('zh-CN'))).toEqual(shape(messages('en')));
    for (const locale of locales) {
      const { obligations, reasons, entities, alerts } = messages(locale);
      for (const text of [obligations, reasons, entities, alerts].flatMap((o) => Object.values(o))) {
        expect(text.trim()).not.toBe('');
      }
    }
  });

  it('titles alerts per locale and passes host-defined kinds through', () => {
    expect(alertTitle('bulk-delete', 'zh-CN')).toBe('短时间内删除客户数量异常');
    expect(alertTitle('bulk-delete', 'en')).toMatch(/deleted/);
    expect(alertTitle('constructor', 'en')).toBe('constructor');
  });
});

describe('didYouMean', () => {
  it('suggests the closest candidate within a few edits, ignoring case', () => {
    expect(didYouMean('resumeUpdate30d', ['logins30d', 'resumeUpdates30d'])).toBe('resumeUpdates30d');
    expect(didYouMean('EXPORTS30D', ['views30d', 'exports30d'])).toBe('exports30d');
    expect(didYouMean('scroe', ['score', 'schema'])).toBe('score');
  });

  it('suggests nothing when every candidate is far, or there is none', () => {
    expect(didYouMean('zzzzzzzzzz', ['exports30d', 'views30d'])).toBeNull();
    expect(didYouMean('abc', [])).toBeNull();
  });

  it('allows more edits for longer words: up to a third of the length', () => {
    expect(didYouMean('followUpsTrend30', ['followUpTrend'])).toBe('followUpTrend'); // 3 edits, 16 letters
    expect(didYouMean('logs', ['logins'])).toBe('logins'); // 2 edits
    expect(didYouMean('lg', ['login'])).toBeNull(); // 3 edits, 2 letters
  });
});
