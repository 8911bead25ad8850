import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  createGuard,
  defaultPolicy,
  type ForbiddenError,
  isGuardError,
  memoryStore,
  type ValidationError,
} from '../src/index.js';
import { customer, rejection, seededGuard, snapshot, testKeys } from './fixtures.js';

function paths(error: unknown): string[] {
  expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
  return (error as ValidationError).issues.map((i) => i.path.join('.'));
}

describe('createGuard', () => {
  it('names every bad option', () => {
    let error: unknown;
    try {
      createGuard({
        store: {} as never,
        keys: undefined as never,
        locale: 'fr' as never,
        audit: { checkpointEvery: -1 },
      });
    } catch (e) {
      error = e;
    }
    expect(paths(error)).toEqual(['store', 'keys', 'locale', 'audit.checkpointEvery']);
    expect((error as Error).message).toContain('must be a Store');
  });

  it('rejects an invalid policy with the policy path', () => {
    const policy = { version: 1, rules: [{ id: 'x', effect: 'allow', actions: ['read', 'steal'], scope: 'own' }] };
    let error: unknown;
    try {
      createGuard({ store: memoryStore(), keys: testKeys, policy });
    } catch (e) {
      error = e;
    }
    expect(paths(error)).toContain('rules.0.actions.1');
  });

  it('accepts an already compiled policy', () => {
    const policy = compilePolicy(defaultPolicy);
    expect(createGuard({ store: memoryStore(), keys: testKeys, policy }).policy).toBe(policy);
  });
});

describe('tenants', () => {
  it('requires the tenant to exist before anything else', async () => {
    const guard = createGuard({ store: memoryStore(), keys: testKeys });
    const error = await rejection(guard.tenant('nobody').directory.sync({ units: [] }));
    expect(isGuardError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe('Tenant "nobody" was not found.');
  });

  it('rejects a bad tenant id immediately', () => {
    const guard = createGuard({ store: memoryStore(), keys: testKeys });
    expect(() => guard.tenant('no spaces allowed')).toThrow(/tenant id/);
  });

  it('rejects an unknown time zone', async () => {
    const guard = createGuard({ store: memoryStore(), keys: testKeys });
    expect(paths(await rejection(guard.tenants.upsert({ id: 'x', name: 'X', timeZone: 'Mars/Olympus' })))).toEqual([
      'timeZone',
    ]);
  });
});

describe('directory sync', () => {
  it('validates the whole batch, names each bad path and writes nothing', async () => {
    const { t, store } = await seededGuard();
    const before = snapshot(store);
    const units = [
      { id: 'loop-a', name: 'A', kind: 'team', parentId: 'loop-b' },
      { id: 'loop-b', name: 'B', kind: 'branch', parentId: 'loop-a' },
      { id: 'orphan', name: 'O', kind: 'team', parentId: 'missing' },
      { id: 'upside', name: 'U', kind: 'region', parentId: 'sh-1' },
      { id: 'root2', name: 'R', kind: 'branch', parentId: null },
      { id: 'orphan', name: 'dup', kind: 'team', parentId: 'sh' },
    ] as const;
    const employees = (hireDate: string) => [
      { id: 'new', name: 'New', unitId: 'nowhere', hireDate: '2024-01-01', managerId: 'ghost' },
      { id: 'self', name: 'Self', unitId: 'sh', hireDate, managerId: 'self' },
    ];
    // schema errors are reported first, before the batch is checked against the store
    const error = await rejection(t.directory.sync({ units: [...units], employees: employees('2024-13-01') }));
    expect(paths(error)).toEqual(['employees.1.hireDate']);
    const second = await rejection(t.directory.sync({ units: [...units], employees: employees('2024-01-01') }));
    expect(paths(second).sort()).toEqual(
      [
        'units.5.id',
        'units.0.parentId',
        'units.2.parentId',
        'units.3.kind',
        'units.4.parentId',
        'employees.0.unitId',
        'employees.1.managerId',
        'employees.0.managerId',
      ].sort(),
    );
    expect((second as Error).message).toContain('units[2].parentId: unit "missing" does not exist');
    expect((second as Error).message).toContain('units[4].parentId: only the HQ may have no parent');
    // A zh-CN reader sees every one of these in Chinese.
    const zh = (second as ValidationError).issues.map((issue) => issue.localized?.['zh-CN'] ?? '');
    expect(zh).toHaveLength(8);
    for (const text of zh) expect(text.replace(/`[^`]*`|「[^」]*」/g, ''), text).not.toMatch(/[A-Za-z]{2,}/);
    expect(snapshot(store)).toBe(before);
  });

  it("keeps each employee's CRM identities, normalised, and refuses ones that cannot be matched", async () => {
    const { t, store } = await seededGuard();
    const rep = await t.directory.employee('rep');
    const { tenantId: _t, updatedAt: _u, ...input } = rep;
    expect(rep).toMatchObject({ email: null, mobile: null, externalRefs: {} });
    await t.directory.sync({
      employees: [
        { ...input, email: ' Li.Lei@ACME.cn ', mobile: '+86 (138) 1234-5678', externalRefs: { wecom: 'LiLei' } },
      ],
    });
    expect(await t.directory.employee('rep')).toMatchObject({
      email: 'li.lei@acme.cn',
      mobile: '+8613812345678',
      externalRefs: { wecom: 'LiLei' },
    });

    const before = snapshot(store);
    const error = await rejection(
      t.directory.sync({
        employees: [
          { ...input, email: 'li.lei', mobile: '138-abc', externalRefs: { wecom: 'Li\nLei', 'not a name': 'x' } },
        ],
      }),
    );
    expect(paths(error).sort()).toEqual(
      [
        'employees.0.email',
        'employees.0.mobile',
        'employees.0.externalRefs.wecom',
        'employees.0.externalRefs.not a name',
      ].sort(),
    );
    expect((error as Error).message).toContain('must be an e-mail address');
    expect(snapshot(store)).toBe(before);
  });

  it('lists the employees page by page, in id order', async () => {
    const { t } = await seededGuard();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.directory.employees({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const all = (await t.directory.employees({ limit: 200 })).items.map((e) => e.id);
    expect(seen).toEqual(all);
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining(['hr', 'mgr', 'rep', 'ice']));
    expect(paths(await rejection(t.directory.employees({ limit: 0 })))).toEqual(['limit']);
  });

  it('records status changes and audits them', async () => {
    const { t } = await seededGuard();
    const result = await t.directory.sync({
      employees: [
        {
          id: 'rep',
          name: 'Rep',
          unitId: 'sh-1',
          managerId: 'mgr',
          roles: ['sales'],
          hireDate: '2022-01-01',
          status: 'resigning',
        },
      ],
    });
    expect(result.statusChanges).toEqual([{ employeeId: 'rep', from: 'active', to: 'resigning' }]);
    const page = await t.audit.query({ action: 'employee.status-changed', limit: 10 });
    expect(page.items.map((e) => [e.subject?.id, e.data])).toEqual([['rep', { from: 'active', to: 'resigning' }]]);
  });

  it('moves a unit with its whole subtree', async () => {
    const { t } = await seededGuard();
    await t.directory.sync({ units: [{ id: 'west', name: 'West', kind: 'region', parentId: 'hq' }] });
    const result = await t.directory.sync({
      units: [{ id: 'sh', name: 'Shanghai', kind: 'branch', parentId: 'west' }],
    });
    expect(result.unitsRepathed).toBe(2);
    // the manager of `sh` still sees the customers of the moved teams
    const view = await t.customers.read({ actor: 'mgr', customerId: 'c-rep' });
    expect(view.decision.fields.contact).toBe('show');
    // and moving a unit under its own descendant is refused
    const error = await rejection(
      t.directory.sync({ units: [{ id: 'west', name: 'West', kind: 'region', parentId: 'sh' }] }),
    );
    expect(paths(error)).toEqual(['units.0.parentId']);
  });
});

describe('customers', () => {
  it('upsert validates, checks references and field classes, and writes nothing on error', async () => {
    const { t, store } = await seededGuard();
    const before = snapshot(store);
    expect(paths(await rejection(t.customers.upsert({ ...customer('c-x', 'ghost', 'nowhere') })))).toEqual([
      'unitId',
      'ownerId',
    ]);
    expect(
      paths(await rejection(t.customers.upsert({ ...customer('c-x', null, 'sh'), fields: { secret: { a: 1 } } }))),
    ).toEqual(['fields.secret']);
    expect(paths(await rejection(t.customers.upsert({ id: 'c-x', name: '', unitId: 'sh' } as never)))).toEqual([
      'name',
      'ownerId',
    ]);
    expect(snapshot(store)).toBe(before);
  });

  it('versions every write and refuses a stale one', async () => {
    const { t } = await seededGuard();
    const v2 = await t.customers.upsert({ ...customer('c-rep', 'rep', 'sh-1'), name: 'Renamed' });
    expect(v2.version).toBe(2);
    const error = await rejection(t.customers.upsert(customer('c-rep', 'rep', 'sh-1'), { expectedVersion: 1 }));
    expect(isGuardError(error, 'CONFLICT')).toBe(true);
    const entries = await t.audit.query({ subject: { type: 'customer', id: 'c-rep' }, limit: 10 });
    // the owner set at creation is an ownership change too (reason `sync`), listed in the ownership history
    expect(entries.items.map((e) => e.action)).toEqual(['customer.create', 'customer.owner-change', 'customer.update']);
    expect(entries.items[2]?.data).toEqual({ version: 2, changedFields: ['name'] });
  });

  it('reads are decided, masked and audited', async () => {
    const { t } = await seededGuard();
    const own = await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    expect(own.fields.contact).toEqual({ phone: '13812345678', email: 'buyer@example.com' });
    expect(own.notices.length).toBeGreaterThan(0);

    const mate = await t.customers.read({ actor: 'rep', customerId: 'c-mate' });
    expect(mate.fields).toEqual({ public: { industry: 'retail' } });

    const hr = await t.customers.read({ actor: 'hr', customerId: 'c-mate' });
    expect(hr.fields.contact).toEqual({ phone: '1******5678', email: 'b***@e***.com' });

    const audit = await t.audit.query({ actorId: 'hr', action: 'customer.read', limit: 5 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.data).toMatchObject({
      via: 'read',
      shown: ['commercial', 'public'],
      masked: ['contact'],
      hidden: [],
    });
    // the audit log never copies the customer's personal data
    expect(JSON.stringify(audit.items[0])).not.toContain('13812345678');
  });

  it('a denied read is audited, then thrown with the decision', async () => {
    const { t } = await seededGuard();
    const error = await rejection(t.customers.read({ actor: 'ice', customerId: 'c-ice' }));
    expect(isGuardError(error, 'FORBIDDEN')).toBe(true);
    expect((error as ForbiddenError).decision.reason.code).toBe('subject-frozen');
    const audit = await t.audit.query({ actorId: 'ice', limit: 5 });
    expect(audit.items.map((e) => e.action)).toEqual(['customer.read-denied']);
    expect(
      ((await rejection(t.customers.read({ actor: 'rep', customerId: 'c-other' }))) as ForbiddenError).decision.reason
        .code,
    ).toBe('no-matching-rule');
  });

  it('lists one guarded page per scope, leaving out what the actor may not read', async () => {
    const { t } = await seededGuard();
    const own = await t.customers.list({ actor: 'rep' });
    expect(own.items.map((c) => c.id)).toEqual(['c-rep']);
    const team = await t.customers.list({ actor: 'rep', scope: 'team' });
    expect(team.items.map((c) => c.id)).toEqual(['c-ice', 'c-leaver', 'c-mate', 'c-rep']);
    expect(team.items.find((c) => c.id === 'c-mate')?.fields.contact).toBeUndefined();
    const everything = await t.customers.list({ actor: 'rep', scope: 'tenant' });
    expect(everything.items.map((c) => c.id)).not.toContain('c-other');
    const hrPages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.customers.list({ actor: 'hr', scope: 'tenant', limit: 2, ...(cursor ? { cursor } : {}) });
      hrPages.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(hrPages).toEqual(['c-ice', 'c-leaver', 'c-mate', 'c-other', 'c-pool', 'c-rep']);
    const reads = await t.audit.query({ actorId: 'hr', action: 'customer.read', limit: 100 });
    expect(reads.items).toHaveLength(6);
  });

  it('resigning staff read only their own customers, flagged', async () => {
    const { t } = await seededGuard();
    const own = await t.customers.read({ actor: 'leaver', customerId: 'c-leaver' });
    expect(own.decision.obligations).toContainEqual({ type: 'flag', reason: 'resigning' });
    expect(
      ((await rejection(t.customers.read({ actor: 'leaver', customerId: 'c-rep' }))) as ForbiddenError).decision.reason
        .code,
    ).toBe('resigning-restricted');
    const exportDecision = await t.customers.decide({ actor: 'leaver', customerId: 'c-leaver', action: 'export' });
    expect(exportDecision.allow).toBe(false);
  });

  it('decide() tells the host about obligations without acting', async () => {
    const { t, store } = await seededGuard();
    const before = snapshot(store);
    const decision = await t.customers.decide({ actor: 'mgr', customerId: 'c-rep', action: 'export', exportSize: 10 });
    expect(decision.allow).toBe(true);
    expect(decision.obligations).toContainEqual({ type: 'approval', approvalKind: 'customer-export' });
    expect(snapshot(store)).toBe(before);
  });

  it('speaks the guard locale', async () => {
    const { t } = await seededGuard({ locale: 'zh-CN' });
    const error = await rejection(t.customers.read({ actor: 'ice', customerId: 'c-ice' }));
    expect((error as Error).message).toBe('「ice」无权对「c-ice」执行「查看」操作：账号已冻结。');
    const view = await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    expect(view.notices[0]).toMatch(/^保密提示/);
  });

  it('unknown actors and customers are NotFound, scoped to the tenant', async () => {
    const { t } = await seededGuard();
    expect(isGuardError(await rejection(t.customers.read({ actor: 'ghost', customerId: 'c-rep' })), 'NOT_FOUND')).toBe(
      true,
    );
    expect(isGuardError(await rejection(t.customers.read({ actor: 'rep', customerId: 'ghost' })), 'NOT_FOUND')).toBe(
      true,
    );
  });
});

describe('audit', () => {
  it('verifies the chain written by every command, and checkpoints sign the head', async () => {
    const { t, store } = await seededGuard();
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const ok = await t.audit.verify();
    expect(ok.ok).toBe(true);
    const checkpoint = await t.audit.checkpoint();
    expect(checkpoint?.seq).toBe(ok.head.seq);
    // truncating the tail is detected through the signed checkpoint
    store.raw.get('acme')?.audit.pop();
    expect(await t.audit.verify()).toMatchObject({ ok: false, firstBadSeq: ok.head.seq, reason: 'truncated' });
  });

  it('writes a signed checkpoint every N entries', async () => {
    const { t, store } = await seededGuard({ audit: { checkpointEvery: 5 } });
    const seqs = [...(store.raw.get('acme')?.checkpoints.keys() ?? [])];
    expect(seqs.length).toBeGreaterThan(0);
    // one checkpoint each time the head crosses a multiple of 5 (a write of several entries may cross it mid-batch)
    const sorted = seqs.sort((a, b) => a - b);
    expect(sorted.every((s, i) => i === 0 || Math.floor(s / 5) > Math.floor((sorted[i - 1] as number) / 5))).toBe(true);
    expect((await t.audit.verify()).ok).toBe(true);
  });
});
