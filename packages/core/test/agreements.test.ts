import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGuardError, memoryNotifier } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

const NDA_TEXT = '保密协议：乙方对在职期间知悉的客户资料负有保密义务。';

async function withTemplates() {
  const env = await seededGuard();
  const { t } = env;
  const nda = await t.agreements.publishTemplate({
    templateId: 'nda',
    kind: 'confidentiality',
    title: '保密协议',
    version: 1,
    text: NDA_TEXT,
  });
  const nonCompete = await t.agreements.publishTemplate({
    templateId: 'non-compete',
    kind: 'non-compete',
    title: '竞业限制协议',
    version: 1,
    text: '竞业限制协议 v1',
  });
  const clause = await t.agreements.publishTemplate({
    templateId: 'customer-clause',
    kind: 'customer-ownership',
    title: '客户资源归属条款',
    version: 1,
    text: '客户资源归公司所有。',
  });
  return { ...env, nda, nonCompete, clause };
}

describe('agreement templates', () => {
  it('are versioned, immutable and hashed', async () => {
    const { t, nda } = await withTemplates();
    expect(nda.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(nda.contentHash).toBe(createHash('sha256').update(NDA_TEXT, 'utf8').digest('hex'));
    // The same version and text again is idempotent.
    const again = await t.agreements.publishTemplate({
      templateId: 'nda',
      kind: 'confidentiality',
      title: '保密协议',
      version: 1,
      text: NDA_TEXT,
    });
    expect(again).toEqual(nda);
    // A different text under the same version is refused.
    const conflict = await rejection(
      t.agreements.publishTemplate({
        templateId: 'nda',
        kind: 'confidentiality',
        title: '保密协议',
        version: 1,
        text: 'changed',
      }),
    );
    expect(isGuardError(conflict, 'CONFLICT')).toBe(true);
    // So is a version of another kind.
    const kind = await rejection(
      t.agreements.publishTemplate({
        templateId: 'nda',
        kind: 'non-compete',
        title: '保密协议',
        version: 2,
        text: 'x',
      }),
    );
    expect(isGuardError(kind, 'CONFLICT')).toBe(true);

    const v2 = await t.agreements.publishTemplate({
      templateId: 'nda',
      kind: 'confidentiality',
      title: '保密协议（2027 版）',
      version: 2,
      text: `${NDA_TEXT} 2027`,
    });
    const latest = await t.agreements.templates();
    expect(latest.map((x) => `${x.templateId}@${x.version}`)).toEqual(['customer-clause@1', 'nda@2', 'non-compete@1']);
    expect((await t.agreements.template('nda', 1)).text).toBe(NDA_TEXT);
    expect((await t.agreements.template('nda')).contentHash).toBe(v2.contentHash);
    expect(isGuardError(await rejection(t.agreements.template('nda', 9)), 'NOT_FOUND')).toBe(true);
  });
});

describe('agreements', () => {
  it('are signed only by the assignee over the assigned text, and kept as evidence', async () => {
    const { t, nda, store } = await withTemplates();
    const agreement = await t.agreements.assign({ employeeId: 'rep', templateId: 'nda' });
    expect(agreement).toMatchObject({
      state: 'pending',
      templateVersion: 1,
      kind: 'confidentiality',
      employeeId: 'rep',
    });

    const wrongHash = await rejection(
      t.agreements.sign({ actor: 'rep', agreementId: agreement.id, contentHash: 'f'.repeat(64), channel: 'web' }),
    );
    expect(isGuardError(wrongHash, 'WORKFLOW_REJECTED')).toBe(true);
    const someoneElse = await rejection(
      t.agreements.sign({ actor: 'mate', agreementId: agreement.id, contentHash: nda.contentHash, channel: 'web' }),
    );
    expect(isGuardError(someoneElse, 'WORKFLOW_REJECTED')).toBe(true);
    const badIp = await rejection(
      t.agreements.sign({
        actor: 'rep',
        agreementId: agreement.id,
        contentHash: nda.contentHash,
        channel: 'web',
        ip: 'nope',
      }),
    );
    expect(isGuardError(badIp, 'VALIDATION_FAILED')).toBe(true);
    expect((await t.agreements.get(agreement.id)).state).toBe('pending');

    const signed = await t.agreements.sign({
      actor: 'rep',
      agreementId: agreement.id,
      contentHash: nda.contentHash,
      channel: 'web',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
    });
    expect(signed.state).toBe('signed');
    expect(signed.signature).toEqual({
      signerId: 'rep',
      contentHash: nda.contentHash,
      signedAt: '2026-11-02T02:00:00.000Z',
      channel: 'web',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
    });
    // Signing twice is refused: the agreement is final.
    expect(
      isGuardError(
        await rejection(
          t.agreements.sign({ actor: 'rep', agreementId: agreement.id, contentHash: nda.contentHash, channel: 'web' }),
        ),
        'WORKFLOW_REJECTED',
      ),
    ).toBe(true);

    const record = await store.transaction((tx) => tx.getRecord('acme', 'signature', agreement.id));
    expect(record).toMatchObject({ ref: 'rep', status: 'signed', at: '2026-11-02T02:00:00.000Z' });
    expect(record?.data).toMatchObject({
      agreementId: agreement.id,
      templateId: 'nda',
      templateVersion: 1,
      title: '保密协议',
      signature: { signerId: 'rep', contentHash: nda.contentHash, ip: '203.0.113.7' },
    });
    const audit = await t.audit.query({ actorId: 'rep', action: 'workflow.agreement.sign', limit: 10 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.data).toMatchObject({ event: { contentHash: nda.contentHash, ip: '203.0.113.7' } });
    expect((await t.agreements.forEmployee('rep')).map((a) => a.id)).toEqual([agreement.id]);
    expect(await t.agreements.forEmployee('mate')).toEqual([]);
  });

  it('pins the version assigned even after a new one is published', async () => {
    const { t, nda } = await withTemplates();
    const agreement = await t.agreements.assign({ employeeId: 'rep', templateId: 'nda' });
    const v2 = await t.agreements.publishTemplate({
      templateId: 'nda',
      kind: 'confidentiality',
      title: '保密协议',
      version: 2,
      text: 'v2',
    });
    const rejected = await rejection(
      t.agreements.sign({ actor: 'rep', agreementId: agreement.id, contentHash: v2.contentHash, channel: 'mobile' }),
    );
    expect(isGuardError(rejected, 'WORKFLOW_REJECTED')).toBe(true);
    const ok = await t.agreements.sign({
      actor: 'rep',
      agreementId: agreement.id,
      contentHash: nda.contentHash,
      channel: 'mobile',
    });
    expect(ok.templateVersion).toBe(1);
    const older = await t.agreements.assign({ employeeId: 'mate', templateId: 'nda', version: 1 });
    expect(older.contentHash).toBe(nda.contentHash);
    expect(
      isGuardError(await rejection(t.agreements.assign({ employeeId: 'ghost', templateId: 'nda' })), 'NOT_FOUND'),
    ).toBe(true);
    expect(
      isGuardError(await rejection(t.agreements.assign({ employeeId: 'rep', templateId: 'none' })), 'NOT_FOUND'),
    ).toBe(true);
  });

  it('reminds until signed, then alerts the manager and HR once', async () => {
    const { guard, t, clock } = await withTemplates();
    const notifier = memoryNotifier();
    const worker = guard.worker({ notifier });
    const unsignedAlerts = async () =>
      (await t.alerts.list({ employeeId: 'rep' })).items.filter((a) => a.kind === 'agreement-unsigned');
    const agreement = await t.agreements.assign({
      employeeId: 'rep',
      templateId: 'nda',
      remindEveryHours: 24,
      maxReminders: 3,
    });
    await worker.runDue();
    expect(notifier.sent.filter((n) => n.template === 'agreement.assigned').map((n) => n.to)).toEqual([['rep']]);

    for (let day = 1; day <= 3; day++) {
      clock.advance({ hours: 24 });
      const r = await worker.runDue();
      expect(r.timerErrors).toEqual([]);
      expect((await t.agreements.get(agreement.id)).reminders).toBe(day);
    }
    const reminders = notifier.sent.filter((n) => n.template === 'agreement.reminder');
    expect(reminders).toHaveLength(3);
    expect(reminders.every((n) => n.to.length === 1 && n.to[0] === 'rep')).toBe(true);
    const view = await t.agreements.get(agreement.id);
    expect(view).toMatchObject({ state: 'pending', overdue: true, reminders: 3 });

    const alerts = await unsignedAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'agreement-unsigned', status: 'open', employeeId: 'rep' });
    expect(alerts[0]?.evidence).toMatchObject({ agreementId: agreement.id, reminders: 3 });
    expect(alerts[0]?.summary).toMatch(/^Rep \(rep\) has not signed /);
    const raised = notifier.sent.filter((n) => n.template === 'alert.raised' && n.data.kind === 'agreement-unsigned');
    expect(raised).toHaveLength(1);
    expect([...(raised[0]?.to ?? [])].sort()).toEqual(['hr', 'mgr']);

    // No more reminders, no second alert.
    clock.advance({ days: 10 });
    await worker.runDue();
    expect(notifier.sent.filter((n) => n.template === 'agreement.reminder')).toHaveLength(3);
    expect(await unsignedAlerts()).toHaveLength(1);
  });

  it('stops reminding once signed', async () => {
    const { guard, t, clock, nda } = await withTemplates();
    const notifier = memoryNotifier();
    const worker = guard.worker({ notifier });
    const agreement = await t.agreements.assign({
      employeeId: 'rep',
      templateId: 'nda',
      remindEveryHours: 24,
      maxReminders: 3,
    });
    clock.advance({ hours: 24 });
    await worker.runDue();
    await t.agreements.sign({
      actor: 'rep',
      agreementId: agreement.id,
      contentHash: nda.contentHash,
      channel: 'wecom',
    });
    clock.advance({ days: 10 });
    await worker.runDue();
    expect(notifier.sent.filter((n) => n.template === 'agreement.reminder')).toHaveLength(1);
    expect(
      (await t.alerts.list({ employeeId: 'rep' })).items.filter((a) => a.kind === 'agreement-unsigned'),
    ).toHaveLength(0);
    expect((await t.agreements.get(agreement.id)).reminders).toBe(1);
  });

  it('is revoked by the host, never by an employee', async () => {
    const { t, nda } = await withTemplates();
    const agreement = await t.agreements.assign({ employeeId: 'rep', templateId: 'nda' });
    const byEmployee = await rejection(
      t.agreements.revoke({ actor: { type: 'employee', id: 'hr' }, agreementId: agreement.id, reason: 'wrong person' }),
    );
    expect(isGuardError(byEmployee, 'WORKFLOW_REJECTED')).toBe(true);
    const revoked = await t.agreements.revoke({ agreementId: agreement.id, reason: 'assigned by mistake' });
    expect(revoked).toMatchObject({ state: 'revoked', revokedReason: 'assigned by mistake' });
    expect(
      isGuardError(
        await rejection(
          t.agreements.sign({ actor: 'rep', agreementId: agreement.id, contentHash: nda.contentHash, channel: 'web' }),
        ),
        'WORKFLOW_REJECTED',
      ),
    ).toBe(true);
    expect(isGuardError(await rejection(t.agreements.get('agr-404')), 'NOT_FOUND')).toBe(true);
  });

  it('assigns the latest template of each kind to a new hire, once', async () => {
    const { t } = await withTemplates();
    await t.directory.sync({
      employees: [
        { id: 'newbie', name: 'New Hire', unitId: 'sh-1', managerId: 'mgr', roles: ['sales'], hireDate: '2026-11-02' },
      ],
    });
    await t.agreements.publishTemplate({
      templateId: 'customer-clause',
      kind: 'customer-ownership',
      title: '客户资源归属条款',
      version: 3,
      text: 'v3',
    });
    const assigned = await t.agreements.assignOnboarding({ employeeId: 'newbie' });
    expect(assigned.map((a) => [a.kind, a.templateId, a.templateVersion])).toEqual([
      ['confidentiality', 'nda', 1],
      ['non-compete', 'non-compete', 1],
      ['customer-ownership', 'customer-clause', 3],
    ]);
    expect(await t.agreements.assignOnboarding({ employeeId: 'newbie' })).toEqual([]);
    expect(await t.agreements.forEmployee('newbie')).toHaveLength(3);

    const only = await t.agreements.assignOnboarding({ employeeId: 'mate', kinds: ['non-compete'] });
    expect(only.map((a) => a.kind)).toEqual(['non-compete']);
  });

  it('refuses an onboarding kind without a template', async () => {
    const { t } = await seededGuard();
    await t.agreements.publishTemplate({
      templateId: 'nda',
      kind: 'confidentiality',
      title: 'NDA',
      version: 1,
      text: 'x',
    });
    expect((await t.agreements.assignOnboarding({ employeeId: 'rep' })).map((a) => a.kind)).toEqual([
      'confidentiality',
    ]);
    const error = await rejection(t.agreements.assignOnboarding({ employeeId: 'mate', kinds: ['non-compete'] }));
    expect(isGuardError(error, 'NOT_FOUND')).toBe(true);
    expect(await t.agreements.forEmployee('mate')).toEqual([]);
  });
});

describe('training and compliance', () => {
  it('assigns, completes and summarises for a performance review', async () => {
    const { guard, t, clock, nda } = await withTemplates();
    const notifier = memoryNotifier();
    const a = await t.training.assign({
      employeeId: 'rep',
      courseId: 'pipl-101',
      title: '个人信息保护',
      dueAt: '2026-11-09T00:00:00+08:00',
    });
    expect(a).toMatchObject({ status: 'assigned', dueAt: '2026-11-08T16:00:00.000Z', score: null });
    const b = await t.training.assign({
      employeeId: 'rep',
      courseId: 'nda-basics',
      title: 'NDA basics',
      dueAt: '2026-11-05T00:00:00Z',
    });
    await t.training.assign({ employeeId: 'rep', courseId: 'ethics', title: 'Ethics', dueAt: '2027-01-01T00:00:00Z' });
    await guard.worker({ notifier }).runDue();
    expect(notifier.sent.filter((n) => n.template === 'training.assigned' && n.to.includes('rep'))).toHaveLength(3);

    const done = await t.training.complete({ assignmentId: a.id, score: 88, passed: true });
    expect(done).toMatchObject({
      status: 'completed',
      score: 88,
      passed: true,
      completedAt: '2026-11-02T02:00:00.000Z',
    });
    expect(
      isGuardError(await rejection(t.training.complete({ assignmentId: a.id, score: 90, passed: true })), 'CONFLICT'),
    ).toBe(true);
    expect(
      isGuardError(
        await rejection(t.training.complete({ assignmentId: b.id, score: 101, passed: true })),
        'VALIDATION_FAILED',
      ),
    ).toBe(true);
    expect(
      isGuardError(
        await rejection(t.training.complete({ assignmentId: 'tr-404', score: 1, passed: false })),
        'NOT_FOUND',
      ),
    ).toBe(true);
    expect((await t.training.forEmployee('rep')).map((x) => x.courseId)).toEqual(['nda-basics', 'pipl-101', 'ethics']);

    const signedOne = await t.agreements.assign({ employeeId: 'rep', templateId: 'nda' });
    await t.agreements.sign({ actor: 'rep', agreementId: signedOne.id, contentHash: nda.contentHash, channel: 'web' });
    await t.agreements.assign({ employeeId: 'rep', templateId: 'non-compete', maxReminders: 0, remindEveryHours: 1 });
    await t.agreements.assign({ employeeId: 'rep', templateId: 'customer-clause' });
    clock.advance({ days: 4 }); // nda-basics is now overdue; the non-compete's only "reminder" makes it overdue
    await guard.worker({ notifier }).runDue();

    const summary = await t.training.compliance('rep');
    expect(summary.agreements).toEqual({
      signed: 1,
      pending: 2,
      overdue: 1,
      revoked: 0,
      byKind: {
        confidentiality: { signed: 1, pending: 0 },
        'non-compete': { signed: 0, pending: 1 },
        'customer-ownership': { signed: 0, pending: 1 },
      },
    });
    expect(summary.trainings.completed).toEqual([
      {
        id: a.id,
        courseId: 'pipl-101',
        title: '个人信息保护',
        score: 88,
        passed: true,
        completedAt: '2026-11-02T02:00:00.000Z',
      },
    ]);
    expect(summary.trainings.overdue.map((x) => x.id)).toEqual([b.id]);
    expect(summary.trainings.open).toBe(1);
    expect(summary.trainings.averageScore).toBe(88);
    // Follow-up rules may raise alerts of their own about rep over these days; count ours, and check the total adds up.
    expect(summary.violations.byKind['agreement-unsigned']).toEqual({ open: 1, acknowledged: 0, resolved: 0 });
    const counted = Object.values(summary.violations.byKind).reduce(
      (n, c) => n + c.open + c.acknowledged + c.resolved,
      0,
    );
    expect(summary.violations.total).toBe(counted);

    const alert = (await t.alerts.list({ employeeId: 'rep' })).items.find((x) => x.kind === 'agreement-unsigned');
    await t.alerts.resolve({ actor: 'mgr', alertId: alert?.id ?? '', note: 'talked to rep' });
    expect((await t.training.compliance('rep')).violations.byKind['agreement-unsigned']).toEqual({
      open: 0,
      acknowledged: 0,
      resolved: 1,
    });
    const clean = await t.training.compliance('mate');
    expect(clean.agreements.signed + clean.agreements.pending).toBe(0);
    expect(clean.trainings.averageScore).toBeNull();
    expect(clean.violations.total).toBe(0);
  });
});
