/**
 * Personal data at rest, checked where it lands (issue #22): customers'
 * contact and commercial values never reach a table or a database file in
 * clear, on any store; after an erasure none of them can be read back, no
 * table holds the customer's name any more — not even in the texts that
 * named them (an approval's title, its audit entries and notifications) —
 * and the audit chain and evidence packs still verify.
 */
import { createGuard, type EmployeeInput, manualClock, type TenantGuard, verifyEvidencePack } from '@guard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customer,
  employees,
  secretValues as encrypted,
  secretCustomer as secret,
  testKeys,
  units,
  workingHours,
} from '../../core/test/fixtures.js';
import { type Dump, type DumpTarget, everyStore } from '../test-support/store-dump.js';

/** Forms a value may take in a dump or a file: as it is, JSON-escaped, and (a SQLite file) UTF-8 bytes. */
const forms = (value: string) => [value, JSON.stringify(value).slice(1, -1)];

const targets = await everyStore();

/** An employee's e-mail and mobile, found nowhere else. */
const employeeContact = { email: 'li.lei@private-mail.cn', mobile: '+8613912345678' };
const employeeValues = ['li.lei@private-mail.cn', '8613912345678'];

function expectAbsent(text: string, values: readonly string[], where: string) {
  for (const value of values) {
    for (const form of forms(value)) expect(text.includes(form), `${value} found in ${where}`).toBe(false);
  }
}

function expectNotInFiles(files: readonly Buffer[], values: readonly string[]) {
  for (const value of values) {
    const bytes = Buffer.from(value, 'utf8');
    for (const file of files) expect(file.includes(bytes), `${value} found in a database file`).toBe(false);
  }
}

describe.each(targets)('personal data on $name', (target) => {
  let opened: Awaited<ReturnType<DumpTarget['open']>>;
  let dump: Dump;
  let t: TenantGuard;
  let transfer: string;

  beforeAll(async () => {
    opened = await target.open();
    dump = opened.dump;
    // Working hours: the default policy denies exports after hours, and the test must not depend on when it runs.
    const guard = createGuard({ store: opened.store, keys: testKeys, clock: manualClock(workingHours) });
    await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    t = guard.tenant('acme');
    await t.directory.sync({
      units,
      employees: [...employees, { ...employees[2], id: 'lilei', name: '李雷', ...employeeContact } as EmployeeInput],
    });
    await t.customers.upsert([customer('c-rep', 'rep', 'sh-1'), secret]);
    // Every path that reads or copies a customer: reads, lists, an export, a claim's release, a handover.
    await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    await t.customers.list({ actor: 'mgr', scope: 'team' });
    const exported = await t.customers.requestExport({
      actor: 'rep',
      customerIds: ['c-secret', 'c-rep'],
      classes: ['public'],
      reason: 'visit plan',
    });
    if (exported.status === 'ready') await t.customers.downloadExport({ actor: 'rep', exportId: exported.id });
    await t.customers.upsert({ ...secret, fields: { ...secret.fields, public: { industry: '零售业' } } });
    // An approval whose title names the customer: its context, audit entries and notification name it by id only.
    ({ approvalId: transfer } = await t.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-secret',
      to: 'mate',
      reason: 'territory change',
    }));
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'moving to a competitor',
    });
    await t.evidence.pack({ employeeId: 'rep' });
  }, 120_000);

  afterAll(() => opened.close());

  it('never stores a contact or commercial value, or an employee’s contacts, in clear, in a table or a file', async () => {
    expectAbsent(await dump(), [...encrypted, ...employeeValues], 'a table');
    expectNotInFiles(opened.files(), [...encrypted, ...employeeValues]);
    expect(await t.directory.employee('lilei')).toMatchObject(employeeContact);
    const view = await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    expect(view.fields.contact).toEqual(secret.fields?.contact);
  });

  it('after an erasure: nothing of theirs can be read, no table names them, the chain and packs verify', async () => {
    const before = await t.evidence.pack({ employeeId: 'rep' });
    expect((await t.approvals.get(transfer)).title).toBe(`Transfer ${secret.name} to Mate`);
    await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' });

    const text = await dump();
    expectAbsent(text, encrypted, 'a table');
    // The name is stored in clear (everyone who may read the customer sees it) and overwritten by the erasure;
    // a database file may keep the old row until its space is reused — see docs/guides/privacy.md.
    expectAbsent(text, [secret.name], 'a table');
    expectNotInFiles(opened.files(), encrypted);
    const view = await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    expect(view).toMatchObject({ name: 'c-secret', fields: {} });
    expect((await t.approvals.get(transfer)).title).toBe('Transfer c-secret to Mate');
    expect((await t.audit.verify()).ok).toBe(true);
    expect((await verifyEvidencePack(before, testKeys)).ok).toBe(true);
    expect((await verifyEvidencePack(await t.evidence.pack({ employeeId: 'rep' }), testKeys)).ok).toBe(true);
  }, 120_000);
});
