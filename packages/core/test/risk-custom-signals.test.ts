import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CustomSignal,
  customFactDefinitions,
  customFactStem,
  customKindOfFact,
  defaultRulePacks,
  isCustomSignalKind,
  isGuardError,
  parseRulePack,
  type RulePack,
  type SignalInput,
  tenantSettingsSchema,
  type ValidationError,
  validateRulePack,
} from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

const usb: CustomSignal = {
  kind: 'x-usb-copy',
  subjects: ['employee'],
  by: 'sum',
  label: { en: 'files copied to USB drives', 'zh-CN': '拷贝到 U 盘的文件数' },
};
const complaint: CustomSignal = {
  kind: 'x-complaint',
  subjects: ['employee', 'customer'],
  by: 'count',
  label: { en: 'customer complaints', 'zh-CN': '客户投诉次数' },
};

/** A pack that alerts on 200 files copied to USB in 30 days: it reads a fact of the custom kind `x-usb-copy`. */
const usbPack = JSON.parse(readFileSync(new URL('./fixtures/usb-pack.json', import.meta.url), 'utf8')) as RulePack;

const paths = (error: unknown) => (error as ValidationError).issues.map((i) => i.path.join('.'));

async function withDeclared(signals: CustomSignal[] = [usb, complaint]) {
  const seeded = await seededGuard();
  await seeded.t.settings.update({ risk: { customSignals: signals } });
  return seeded;
}

describe('custom signal kinds: names and facts', () => {
  it('derive fact names from the kind, and the kind back from a fact name', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('7d', '30d', '90d', 'Trend'),
        (words, suffix) => {
          const kind = `x-${words.join('-')}` as const;
          fc.pre(isCustomSignalKind(kind));
          expect(customKindOfFact(`${customFactStem(kind)}${suffix}`)).toBe(kind);
        },
      ),
    );
    expect(customFactStem('x-top10-export')).toBe('xTop10Export');
    expect(customKindOfFact('exports30d')).toBeNull();
    expect(isCustomSignalKind('usb-copy')).toBe(false);
    expect(isCustomSignalKind('x-10-export')).toBe(false);
  });

  it('have both languages in their descriptions, per declared subject', () => {
    expect(Object.keys(customFactDefinitions([usb, complaint], 'employee'))).toEqual([
      'xUsbCopy7d',
      'xUsbCopy30d',
      'xUsbCopy90d',
      'xUsbCopyTrend',
      'xComplaint7d',
      'xComplaint30d',
      'xComplaint90d',
      'xComplaintTrend',
    ]);
    const customer = customFactDefinitions([usb, complaint], 'customer');
    expect(Object.keys(customer)).toEqual(['xComplaint7d', 'xComplaint30d', 'xComplaint90d', 'xComplaintTrend']);
    expect(customer.xComplaint30d?.description).toEqual({
      en: 'customer complaints in the last 30 days',
      'zh-CN': '近 30 天客户投诉次数',
    });
  });
});

describe('custom signal kinds: settings', () => {
  it('refuse a malformed kind and a kind declared twice, by path', () => {
    const issues = (customSignals: unknown[]) =>
      tenantSettingsSchema.safeParse({ risk: { customSignals } }).error?.issues.map((i) => i.path.join('.'));
    expect(issues([usb, { ...complaint, kind: 'usb_copy' }])).toEqual(['risk.customSignals.1.kind']);
    expect(issues([usb, complaint, { ...usb }])).toEqual(['risk.customSignals.2.kind']);
    expect(issues([{ ...complaint, subjects: ['customer', 'customer'] }])).toEqual(['risk.customSignals.0.subjects.1']);
  });

  it('default to no custom kinds, counted for the employee, by sum', () => {
    expect(tenantSettingsSchema.parse({}).risk.customSignals).toEqual([]);
    const [declared] = tenantSettingsSchema.parse({
      risk: {
        customSignals: [{ kind: 'x-badge-night', label: { en: 'night badge swipes', 'zh-CN': '夜间刷卡次数' } }],
      },
    }).risk.customSignals;
    expect(declared).toMatchObject({ subjects: ['employee'], by: 'sum' });
  });
});

describe('custom signal kinds: signals.record', () => {
  it('records a declared kind, audited with the others, and its facts move', async () => {
    const { t, clock } = await withDeclared();
    const batch: SignalInput[] = [
      { kind: 'x-usb-copy', employeeId: 'rep', at: '2026-11-01T21:00:00Z', value: 120, id: 'usb-1' },
      { kind: 'x-usb-copy', employeeId: 'rep', at: '2026-10-10T21:00:00Z', value: 30, id: 'usb-2' },
      { kind: 'x-complaint', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T08:00:00Z', value: 9 },
      { kind: 'login', employeeId: 'rep', at: '2026-11-01T08:00:00Z' },
    ];
    expect(await t.signals.record(batch)).toEqual({ recorded: 4, duplicates: 0 });
    expect(await t.signals.record(batch[0] as SignalInput)).toEqual({ recorded: 0, duplicates: 1 });
    const employee = await t.risk.facts({ type: 'employee', id: 'rep' });
    expect(employee).toMatchObject({ xUsbCopy7d: 120, xUsbCopy30d: 150, xUsbCopy90d: 150, xComplaint30d: 1 });
    expect(employee.xUsbCopyTrend).toBeNull(); // nothing in the 60 days before the last 30
    const customer = await t.risk.facts({ type: 'customer', id: 'c-rep' });
    expect(customer).toMatchObject({ xComplaint7d: 1, xComplaint90d: 1 });
    expect(customer).not.toHaveProperty('xUsbCopy30d');
    clock.advance({ days: 40 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).xUsbCopyTrend).toBe(0);
    const { items } = await t.audit.query({ action: 'signals.record', limit: 10 });
    expect(items.map((e) => e.data.recorded)).toEqual([4, 0]);
    expect(items[0]?.data).toMatchObject({ kinds: { 'x-usb-copy': 2, 'x-complaint': 1, login: 1 }, recorded: 4 });
  });

  it('refuses an undeclared, misspelt or malformed kind by index, and writes nothing of the batch', async () => {
    const { t } = await withDeclared([usb]);
    const error = await rejection(
      t.signals.record([
        { kind: 'x-usb-copy', employeeId: 'rep', at: '2026-11-01T21:00:00Z', value: 5 },
        { kind: 'x-badge-night', employeeId: 'rep', at: '2026-11-01T21:00:00Z' },
        { kind: 'levae', employeeId: 'rep', at: '2026-11-01T21:00:00Z' } as unknown as SignalInput,
      ]),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(paths(error)).toEqual(['2.kind']);
    expect((error as Error).message).toContain('did you mean "leave"');
    const undeclared = await rejection(
      t.signals.record([
        { kind: 'x-usb-copy', employeeId: 'rep', at: '2026-11-01T21:00:00Z', value: 5 },
        { kind: 'x-badge-night', employeeId: 'rep', at: '2026-11-01T21:00:00Z' },
      ]),
    );
    expect(paths(undeclared)).toEqual(['1.kind']);
    expect((undeclared as Error).message).toContain('risk.customSignals');
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).xUsbCopy30d).toBe(0);
    expect((await t.audit.query({ action: 'signals.record', limit: 10 })).items).toEqual([]);
  });

  it('needs exactly the ids of the declared subjects', async () => {
    const { t } = await withDeclared();
    const error = await rejection(
      t.signals.record([
        { kind: 'x-usb-copy', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T21:00:00Z' },
        { kind: 'x-complaint', employeeId: 'rep', at: '2026-11-01T21:00:00Z' },
        { kind: 'x-usb-copy', customerId: 'c-rep', at: '2026-11-01T21:00:00Z' },
      ]),
    );
    expect(paths(error)).toEqual(['0.customerId', '1.customerId', '2.employeeId', '2.customerId']);
  });

  it('speaks the tenant language', async () => {
    const { t } = await withDeclared([usb]);
    await t.settings.update({ locale: 'zh-CN', risk: { customSignals: [usb] } });
    const error = await rejection(
      t.signals.record({ kind: 'x-badge-night', employeeId: 'rep', at: '2026-11-01T21:00:00Z' }),
    );
    expect((error as Error).message).toContain('本租户尚未声明信号类型「x-badge-night」');
  });
});

describe('custom signal kinds: rule packs', () => {
  it('validate against the declared kinds, naming the declaration a pack misses', () => {
    const result = validateRulePack(usbPack);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path.join('.'))).toContain('rules.0.conditions.all.0.fact');
      expect(result.issues.map((i) => i.message).join('\n')).toContain('"x-usb-copy"');
    }
    expect(parseRulePack(usbPack, { customSignals: [usb] }).id).toBe('acme-usb');
    const forCustomers = { ...usbPack, subject: 'customer' as const };
    expect(validateRulePack(forCustomers, { customSignals: [usb] }).ok).toBe(false);
  });

  it('install only once the kind is declared, then score and alert on it', async () => {
    const { t } = await seededGuard();
    const refused = await rejection(t.risk.installPack(usbPack));
    expect(paths(refused)).toContain('rules.0.conditions.all.0.fact');
    await t.settings.update({ risk: { customSignals: [usb] } });
    await t.risk.installPack(usbPack);
    await t.signals.record({ kind: 'x-usb-copy', employeeId: 'rep', at: '2026-11-01T21:00:00Z', value: 240 });
    const [score] = await t.risk.score({ type: 'employee', id: 'rep' }, { pack: 'acme-usb' });
    expect(score).toMatchObject({ score: 60, band: 'alert' });
    expect(score?.fired[0]?.explanation.en).toBe('240 files copied to USB in 30 days');
    expect((await t.risk.scan({ subject: 'employee' })).alertsRaised).toBeGreaterThanOrEqual(1);
  });

  it('keep a declaration while an installed pack reads it: the settings update is refused and nothing changes', async () => {
    const { t } = await withDeclared([usb]);
    await t.risk.installPack(usbPack);
    const before = await t.settings.current();
    for (const next of [[], [{ ...usb, subjects: ['customer'] as const }]]) {
      const error = await rejection(t.settings.update({ risk: { customSignals: next } }));
      expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
      expect(paths(error)).toEqual(['risk.customSignals']);
      expect((error as Error).message).toContain('"acme-usb"');
      expect(await t.settings.current()).toEqual(before);
    }
    await t.risk.removePack('acme-usb');
    await t.settings.update({ risk: { customSignals: [] } });
    expect((await t.settings.get()).risk.customSignals).toEqual([]);
    expect((await t.risk.packs()).map((p) => p.id)).toEqual(Object.values(defaultRulePacks).map((p) => p.id));
  });
});
