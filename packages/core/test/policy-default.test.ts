import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/domain/decision.js';
import { type Action, actions, type EmployeeStatus } from '../src/domain/vocabulary.js';
import {
  type AccessContext,
  type AccessResource,
  type AccessSubject,
  applyFieldLevels,
  compilePolicy,
  defaultPolicy,
  policySchema,
} from '../src/policy/index.js';

/*
 * The org of these stories:
 *
 *   hq ─ east ─ sh ─┬─ sh-team-1   (rep 李雷, rep 韩梅梅, manager 王经理 of sh-team-1)
 *                   └─ sh-team-2   (rep 张伟)
 *   branch manager 陈总 sits at `sh`; HR admin 刘 at `hq`.
 */
const paths: Record<string, string[]> = {
  hq: ['hq'],
  east: ['hq', 'east'],
  sh: ['hq', 'east', 'sh'],
  'sh-team-1': ['hq', 'east', 'sh', 'sh-team-1'],
  'sh-team-2': ['hq', 'east', 'sh', 'sh-team-2'],
};

function employee(id: string, unitId: string, roles: string[], status: EmployeeStatus = 'active'): AccessSubject {
  return { id, status, unitId, roles, rank: 2, hireDate: '2022-03-01', performanceBand: 'B' };
}

function customer(id: string, ownerId: string | null, unitId: string): AccessResource {
  return { id, ownerId, unitId, unitPath: paths[unitId] ?? [] };
}

const rep = employee('e-lilei', 'sh-team-1', ['sales']);
const teammate = employee('e-hanmeimei', 'sh-team-1', ['sales']);
const teamManager = employee('e-wang', 'sh-team-1', ['manager']);
const branchManager = employee('e-chen', 'sh', ['manager']);
const hr = employee('e-liu', 'hq', ['hr-admin']);

const own = customer('c-own', rep.id, 'sh-team-1');
const teammates = customer('c-mate', teammate.id, 'sh-team-1');
const otherTeam = customer('c-other', 'e-zhangwei', 'sh-team-2');
const pooled = customer('c-pool', null, 'sh');

const record = {
  public: { industry: '制造业', city: '上海' },
  contact: { contactName: '王小明', phone: '13812345678', email: 'wang@hdjd.cn' },
  commercial: { creditLimit: 500000 },
};

/** Beijing time. */
const at = (hhmm: string): AccessContext => ({
  now: new Date(`2026-11-02T${hhmm}:00+08:00`),
  timeZone: 'Asia/Shanghai',
});
const daytime = at('10:00');

const policy = compilePolicy(defaultPolicy);
const decide = (s: AccessSubject, a: Action, r: AccessResource, c: AccessContext = daytime) =>
  policy.decide(s, a, r, c);

const ALL_SHOWN = { public: 'show', contact: 'show', commercial: 'show' };
const ALL_HIDDEN = { public: 'hide', contact: 'hide', commercial: 'hide' };
const NOTICE = { type: 'confidentiality-notice' };
const EXPORT_APPROVAL = { type: 'approval', approvalKind: 'customer-export' };
const WATERMARK = { type: 'watermark' };

function expectDenied(d: Decision, code: Decision['reason']['code'], rules: string[] = []) {
  expect(d).toEqual({ allow: false, action: d.action, fields: ALL_HIDDEN, obligations: [], reason: { code, rules } });
}

describe('default policy', () => {
  it('is valid, deeply frozen and documents every rule', () => {
    expect(policySchema.safeParse(defaultPolicy).success).toBe(true);
    expect(Object.isFrozen(defaultPolicy)).toBe(true);
    expect(Object.isFrozen(defaultPolicy.rules[0])).toBe(true);
    for (const rule of defaultPolicy.rules) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.description?.length ?? 0).toBeGreaterThan(20);
    }
    expect(policy.fieldClasses).toEqual(['public', 'contact', 'commercial']);
  });

  it('a rep reads and updates their own customer in full, under the confidentiality notice', () => {
    const d = decide(rep, 'read', own);
    expect(d).toEqual({
      allow: true,
      action: 'read',
      fields: ALL_SHOWN,
      obligations: [NOTICE],
      reason: { code: 'allowed', rules: ['sales-own-full', 'sales-team-public'] },
    });
    expect(applyFieldLevels(record, d.fields).fields).toEqual(record);
    expect(decide(rep, 'update', own)).toMatchObject({ allow: true, fields: ALL_SHOWN, obligations: [NOTICE] });
  });

  it("a rep sees only the public fields of a teammate's customer, and may not change or export it", () => {
    const d = decide(rep, 'read', teammates);
    expect(d).toMatchObject({
      allow: true,
      fields: { public: 'show', contact: 'hide', commercial: 'hide' },
      obligations: [],
      reason: { code: 'allowed', rules: ['sales-team-public'] },
    });
    const view = applyFieldLevels(record, d.fields);
    expect(view.fields).toEqual({ public: record.public });
    expect(view.hidden).toEqual(['commercial', 'contact']);
    for (const action of ['update', 'export', 'delete', 'transfer', 'claim'] as const) {
      expectDenied(decide(rep, action, teammates), 'no-matching-rule');
    }
  });

  it("a rep sees nothing of another team's customer", () => {
    expectDenied(decide(rep, 'read', otherTeam), 'no-matching-rule');
  });

  it('a rep claims from the public pool seeing public fields, but cannot claim an owned customer', () => {
    expect(decide(rep, 'claim', pooled)).toMatchObject({
      allow: true,
      fields: { public: 'show', contact: 'hide', commercial: 'hide' },
      reason: { rules: ['sales-pool-public'] },
    });
    expectDenied(decide(rep, 'claim', teammates), 'no-matching-rule');
  });

  it('a rep exports their own customers with contacts masked, after approval, watermarked', () => {
    const d = decide(rep, 'export', own, { ...daytime, exportSize: 30 });
    expect(d).toEqual({
      allow: true,
      action: 'export',
      fields: { public: 'show', contact: 'mask', commercial: 'show' },
      obligations: [EXPORT_APPROVAL, WATERMARK],
      reason: { code: 'allowed', rules: ['sales-export-own'] },
    });
    expect(applyFieldLevels(record, d.fields).fields.contact).toEqual({
      contactName: '王**',
      phone: '1******5678',
      email: 'w***@h***.cn',
    });
  });

  it('a manager sees their whole unit subtree in full; export and delete need approval', () => {
    for (const c of [own, teammates, otherTeam]) {
      expect(decide(branchManager, 'read', c)).toEqual({
        allow: true,
        action: 'read',
        fields: ALL_SHOWN,
        obligations: [NOTICE],
        reason: { code: 'allowed', rules: ['manager-team-full'] },
      });
      expect(decide(branchManager, 'transfer', c).allow).toBe(true);
    }
    expect(decide(branchManager, 'export', otherTeam)).toMatchObject({
      allow: true,
      fields: ALL_SHOWN,
      obligations: [EXPORT_APPROVAL, WATERMARK],
    });
    expect(decide(branchManager, 'delete', otherTeam)).toMatchObject({
      allow: true,
      obligations: [{ type: 'approval', approvalKind: 'customer-delete' }],
      reason: { rules: ['manager-team-delete'] },
    });
    // A team manager's subtree is their team only.
    expect(decide(teamManager, 'read', teammates).allow).toBe(true);
    expectDenied(decide(teamManager, 'read', otherTeam), 'no-matching-rule');
  });

  it('HR reads every customer with contacts masked, and nothing more', () => {
    for (const c of [own, otherTeam, pooled]) {
      const d = decide(hr, 'read', c);
      expect(d).toMatchObject({
        allow: true,
        fields: { public: 'show', contact: 'mask', commercial: 'show' },
        obligations: [],
        reason: { rules: ['hr-admin-tenant-read'] },
      });
      expect(applyFieldLevels(record, d.fields).fields.contact?.phone).toBe('1******5678');
    }
    for (const action of ['update', 'export', 'delete', 'transfer'] as const) {
      expectDenied(decide(hr, action, own), 'no-matching-rule');
    }
  });

  it('a resigning rep reads only their own customers, every read flagged, and cannot export', () => {
    const leaving: AccessSubject = { ...rep, status: 'resigning' };
    expect(decide(leaving, 'read', own)).toEqual({
      allow: true,
      action: 'read',
      fields: ALL_SHOWN,
      obligations: [NOTICE, { type: 'flag', reason: 'resigning' }],
      reason: { code: 'allowed', rules: ['sales-own-full', 'sales-team-public'] },
    });
    expectDenied(decide(leaving, 'read', teammates), 'resigning-restricted');
    expectDenied(decide(leaving, 'read', pooled), 'resigning-restricted');
    for (const action of ['update', 'export', 'delete', 'transfer', 'claim'] as const) {
      expectDenied(decide(leaving, action, own), 'resigning-restricted');
    }
    // The flag belongs to the resigning subject only, whatever was decided before.
    expect(decide(rep, 'read', own).obligations).toEqual([NOTICE]);
    // A resigning manager loses their unit too.
    expectDenied(decide({ ...branchManager, status: 'resigning' }, 'read', otherTeam), 'resigning-restricted');
  });

  it('frozen and departed employees see nothing, whatever their roles', () => {
    const everything = employee('e-x', 'hq', ['sales', 'manager', 'hr-admin']);
    for (const [status, code] of [
      ['frozen', 'subject-frozen'],
      ['departed', 'subject-departed'],
    ] as const) {
      for (const action of actions) {
        for (const c of [own, teammates, otherTeam, pooled]) {
          expectDenied(decide({ ...everything, status }, action, { ...c, ownerId: 'e-x' }), code);
          expectDenied(decide({ ...everything, status }, action, c), code);
        }
      }
    }
  });

  it('nobody exports between 22:00 and 06:00 local time', () => {
    const afterHours = ['22:00', '23:30', '00:00', '03:15', '05:59'];
    const office = ['06:00', '09:30', '13:00', '21:59'];
    for (const [subject, c] of [
      [rep, own],
      [branchManager, otherTeam],
    ] as const) {
      for (const t of afterHours)
        expectDenied(decide(subject, 'export', c, at(t)), 'denied-by-rule', ['no-after-hours-export']);
      for (const t of office) expect(decide(subject, 'export', c, at(t)).allow).toBe(true);
      // Reads are not affected.
      expect(decide(subject, 'read', c, at('23:00')).allow).toBe(true);
    }
  });

  it('reads local time in context.timeZone, UTC by default', () => {
    const instant = Date.parse('2026-11-02T15:00:00Z'); // 23:00 in Shanghai, 15:00 UTC, 10:00 in New York
    expect(decide(rep, 'export', own, { now: instant }).allow).toBe(true);
    expect(decide(rep, 'export', own, { now: instant, timeZone: 'Asia/Shanghai' }).allow).toBe(false);
    expect(decide(rep, 'export', own, { now: instant, timeZone: 'America/New_York' }).allow).toBe(true);
    expect(
      decide(rep, 'export', own, { now: Date.parse('2026-11-03T03:30:00Z'), timeZone: 'America/New_York' }).allow,
    ).toBe(false);
  });

  it('returns frozen decisions, reusing one object for one outcome', () => {
    const a = decide(rep, 'read', own);
    const b = decide(rep, 'read', customer('c-own-2', rep.id, 'sh-team-1'), at('15:00'));
    expect(a).toBe(b);
    for (const d of [a, decide(hr, 'read', own), decide(rep, 'read', otherTeam)]) {
      expect(Object.isFrozen(d)).toBe(true);
      expect(Object.isFrozen(d.fields)).toBe(true);
      expect(Object.isFrozen(d.obligations)).toBe(true);
      expect(Object.isFrozen(d.reason)).toBe(true);
      expect(Object.isFrozen(d.reason.rules)).toBe(true);
      for (const o of d.obligations) expect(Object.isFrozen(o)).toBe(true);
    }
  });

  it('throws a RangeError for an invalid context.now, and for an unknown zone when it needs local time', () => {
    expect(() => decide(rep, 'read', own, { now: new Date('not a date') })).toThrow(RangeError);
    expect(() => decide(rep, 'read', own, { now: Number.NaN })).toThrow(/context\.now/);
    expect(() => decide(rep, 'read', own, { now: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => decide(rep, 'export', own, { now: Date.now(), timeZone: 'Mars/Olympus' })).toThrow(
      /context\.timeZone "Mars\/Olympus"/,
    );
    expect(decide(rep, 'read', own, { now: 0 }).allow).toBe(true);
  });

  it('can be used detached from the compiled policy object', () => {
    const { decide: detached } = policy;
    expect(detached(rep, 'read', own, daytime).allow).toBe(true);
  });
});
