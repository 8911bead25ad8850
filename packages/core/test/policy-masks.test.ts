import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../src/domain/entities.js';
import { applyFieldLevels, type MaskKind, maskKindFor, maskValue } from '../src/policy/index.js';

const kinds: readonly MaskKind[] = ['phone', 'email', 'name', 'id-number', 'default'];
const digitCount = (s: string) => [...s].filter((c) => c >= '0' && c <= '9').length;

describe('maskValue', () => {
  it.each<[MaskKind, FieldValue, string | null]>([
    ['phone', '13812345678', '1******5678'],
    ['phone', '62345678', '****5678'],
    ['phone', '+86 138-1234-5678', '+86 ***-****-5678'],
    ['phone', '010-6552 1234', '0**-**** 1234'],
    ['phone', 13812345678, '1******5678'],
    ['phone', '1234567', '****567'],
    ['phone', 'wx13812345678', '**1******5678'],
    ['phone', '12', '*2'],
    ['phone', '1', '*'],
    ['phone', 'ask reception', 'a***'],
    ['email', 'alice@example.com', 'a***@e***.com'],
    ['email', 'a@x.cn', '***@x***'],
    ['email', '王小明@例子.cn', '王***@例***'],
    ['email', 'no-at-sign', 'n***'],
    ['email', '@example.com', '***@e***.com'],
    ['email', '@', '***'],
    ['name', '张三丰', '张**'],
    ['name', '𠀋山', '𠀋**'],
    ['name', '张', '**'],
    ['name', 'Alice Wong', 'A**'],
    ['id-number', '110101199003071234', '**************1234'],
    ['id-number', 'E12345678', '*****5678'],
    ['id-number', 'A12', '***'],
    ['id-number', 'A1234567', '****4567'],
    ['id-number', 'A123456', '*******'],
    ['default', 'Shanghai', 'S***'],
    ['default', '𠀋xyz', '𠀋***'],
    ['default', 'x', '***'],
    ['default', 42, '***'],
    ['default', true, '***'],
    ['name', 7, '***'],
    ['email', false, '***'],
  ])('%s mask of %j is %j', (kind, value, expected) => {
    expect(maskValue(kind, value)).toBe(expected);
  });

  it('never returns a value unchanged: every mask hides something', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.oneof(
          fc.string({ minLength: 1 }).filter((t) => !t.includes('*')),
          fc.integer(),
          fc.boolean(),
        ),
        (kind, value) => {
          expect(maskValue(kind, value)).not.toBe(String(value));
        },
      ),
    );
  });

  /** @see issue #16, hole 8 (`62345678` masked to `623*5678`, `a@x.cn` shown whole) */
  it('never reveals more than half of a value: of its characters, or of a phone its digits', () => {
    const unit = fc.constantFrom('0', '1', '5', '9', '+', '-', ' ', '(', '@', '.', 'a', 'Z', '张', '𠀋', '😀', 'x');
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.string({ unit, maxLength: 24 }), (kind, text) => {
        const out = maskValue(kind, text) ?? '';
        if (kind === 'phone' && digitCount(text) > 0) {
          expect(digitCount(out)).toBeLessThanOrEqual(Math.floor(digitCount(text) / 2));
        } else {
          const shown = [...out].filter((ch) => ch !== '*').length;
          expect(shown).toBeLessThanOrEqual(Math.floor([...text].length / 2));
        }
      }),
    );
  });

  it('keeps null as null for every kind', () => {
    for (const kind of kinds) expect(maskValue(kind, null)).toBeNull();
  });

  it('phone: keeps format characters in place, the last min(4, n/2) digits and leading ones within half', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '+', '-', ' ', '(', ')', '中') }), (text) => {
        fc.pre(digitCount(text) > 0);
        const out = maskValue('phone', text) ?? '';
        const n = digitCount(text);
        const tail = Math.min(4, Math.floor(n / 2));
        const head = Math.min(3, Math.floor(n / 2) - tail);
        expect(out.length).toBe(text.length);
        let d = 0;
        for (let i = 0; i < text.length; i++) {
          const ch = text[i] ?? '';
          if (ch < '0' || ch > '9') {
            expect(out[i]).toBe(ch === '中' ? '*' : ch);
            continue;
          }
          expect(out[i]).toBe(d < head || d >= n - tail ? ch : '*');
          d++;
        }
      }),
    );
  });

  it('id-number: preserves the length in code points and shows at most the last 4', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 8 }), (text) => {
        const out = maskValue('id-number', text) ?? '';
        expect([...out].length).toBe([...text].length);
        expect(out.endsWith(text.slice(-4))).toBe(true);
        expect(out.slice(0, -4)).toMatch(/^\*+$/);
      }),
    );
  });

  it('name and default reveal only the first code point, and only of values of two or more', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'Z', '张', '𠀋', '😀', ' ', '-', '\u0301'),
          minLength: 1,
          maxLength: 12,
        }),
        (text) => {
          const first = [...text].length >= 2 ? String.fromCodePoint(text.codePointAt(0) ?? 0) : '';
          expect(maskValue('name', text)).toBe(`${first}**`);
          expect(maskValue('default', text)).toBe(`${first}***`);
        },
      ),
    );
  });
});

describe('maskKindFor', () => {
  it.each<[string, MaskKind]>([
    ['phone', 'phone'],
    ['Mobile', 'phone'],
    ['TEL', 'phone'],
    ['telephone', 'phone'],
    ['wechat', 'default'],
    ['email', 'email'],
    ['Mail', 'email'],
    ['contactName', 'name'],
    ['contact', 'name'],
    ['name', 'name'],
    ['idNumber', 'id-number'],
    ['IDCARD', 'id-number'],
    ['passport', 'id-number'],
    ['creditLimit', 'default'],
    ['toString', 'default'],
  ])('%s → %s', (field, kind) => {
    expect(maskKindFor(field)).toBe(kind);
  });

  it('lets an override for the exact field name win', () => {
    expect(maskKindFor('wechat', { wechat: 'phone' })).toBe('phone');
    expect(maskKindFor('phone', { phone: 'default' })).toBe('default');
    expect(maskKindFor('email', { wechat: 'phone' })).toBe('email');
    expect(maskKindFor('constructor', {})).toBe('default');
  });
});

describe('applyFieldLevels', () => {
  const fields = {
    public: { industry: '制造业', city: '上海' },
    contact: { contactName: '王小明', phone: '13812345678', email: 'wang@hdjd.cn', wechat: 'wx13812345678' },
    commercial: { creditLimit: 500000, vip: true },
    legacy: { note: 'not configured in the policy' },
  };

  it('shows, masks and hides by class and lists the classes sorted', () => {
    const out = applyFieldLevels(fields, { public: 'show', contact: 'mask', commercial: 'hide' });
    expect(out.fields).toEqual({
      public: { industry: '制造业', city: '上海' },
      contact: { contactName: '王**', phone: '1******5678', email: 'w***@h***.cn', wechat: 'w***' },
    });
    expect(out.shown).toEqual(['public']);
    expect(out.masked).toEqual(['contact']);
    expect(out.hidden).toEqual(['commercial', 'legacy']);
  });

  it('masks every value of a masked class, using the overrides', () => {
    const out = applyFieldLevels(fields, { commercial: 'mask', contact: 'mask' }, { wechat: 'phone' });
    expect(out.fields.commercial).toEqual({ creditLimit: '***', vip: '***' });
    expect(out.fields.contact?.wechat).toBe('**1******5678');
    expect(out.shown).toEqual([]);
    expect(out.masked).toEqual(['commercial', 'contact']);
    expect(out.hidden).toEqual(['legacy', 'public']);
  });

  it('keeps a class or field named __proto__ as an own property, never as the prototype', () => {
    const fields = JSON.parse('{"__proto__": {"__proto__": "13812345678", "b": 1}, "public": {"__proto__": "x"}}');
    const out = applyFieldLevels(fields, JSON.parse('{"__proto__": "mask", "public": "show"}'));
    expect(Object.getPrototypeOf(out.fields)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.fields.public)).toBe(Object.prototype);
    expect(Object.keys(out.fields)).toEqual(['__proto__', 'public']);
    expect(Object.hasOwn(out.fields.public as object, '__proto__')).toBe(true);
    expect(JSON.stringify(out.fields)).toBe('{"__proto__":{"__proto__":"1***","b":"***"},"public":{"__proto__":"x"}}');
    expect(out.masked).toEqual(['__proto__']);
  });

  it('treats classes the levels do not configure (even inherited names) as hidden', () => {
    const out = applyFieldLevels({ toString: { a: 'x' }, constructor: { b: 'y' } }, {});
    expect(out.fields).toEqual({});
    expect(out.hidden).toEqual(['constructor', 'toString']);
  });

  it('never mutates or aliases its input', () => {
    const levelArb = fc.constantFrom('show', 'mask', 'hide') as fc.Arbitrary<'show' | 'mask' | 'hide'>;
    const valueArb = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('public', 'contact', 'commercial', 'x'), fc.dictionary(fc.string(), valueArb)),
        fc.dictionary(fc.constantFrom('public', 'contact', 'commercial'), levelArb),
        (input, levels) => {
          const before = structuredClone(input);
          const out = applyFieldLevels(input, levels);
          expect(input).toEqual(before);
          for (const cls of Object.keys(out.fields)) expect(out.fields[cls]).not.toBe(input[cls]);
          expect([...out.shown, ...out.masked, ...out.hidden].sort()).toEqual(Object.keys(input).sort());
          for (const cls of out.shown) expect(out.fields[cls]).toEqual(input[cls]);
          for (const cls of out.hidden) expect(out.fields).not.toHaveProperty(cls);
        },
      ),
    );
  });
});
