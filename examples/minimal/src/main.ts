// The smallest program that protects a customer list: run it with `npx tsx src/main.ts`.
import { createGuard, hmacKeys, memoryStore } from '@guard/core';

const guard = createGuard({
  store: memoryStore(), // in production: sqliteStore, postgresStore or mysqlStore on your database
  keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY ?? 'an-example-key-of-32-characters!' } }),
  locale: 'zh-CN',
});
await guard.tenants.upsert({ id: 'acme', name: 'ACME 贸易', timeZone: 'Asia/Shanghai' });
const acme = guard.tenant('acme');

// 1. Your HR product's org chart and staff.
await acme.directory.sync({
  units: [
    { id: 'hq', name: '总部', kind: 'hq', parentId: null },
    { id: 'sh', name: '上海分公司', kind: 'branch', parentId: 'hq' },
  ],
  employees: [
    { id: 'e-li', name: '李雷', unitId: 'sh', roles: ['sales'], hireDate: '2021-09-01' },
    { id: 'e-han', name: '韩梅梅', unitId: 'sh', roles: ['sales'], hireDate: '2020-04-15' },
    { id: 'e-zhao', name: '赵敏', unitId: 'hq', roles: ['hr-admin'], hireDate: '2016-07-11' },
  ],
});

// 2. Your CRM's customers, each with an owner.
for (const [id, name, ownerId, phone] of [
  ['c-1', '华东机电', 'e-li', '13812345678'],
  ['c-2', '申江物流', 'e-han', '13987654321'],
] as const) {
  await acme.customers.upsert({
    id,
    name,
    ownerId,
    unitId: 'sh',
    fields: {
      public: { city: '上海' },
      contact: { contactName: '王建国', phone },
      commercial: { creditLimit: 200_000 },
    },
  });
}

// 3. On every customer list in your app: ask Guard, show what it returns.
for (const actor of ['e-li', 'e-zhao']) {
  const page = await acme.customers.list({ actor, scope: 'tenant' });
  console.log(`\n${actor} sees ${page.items.length} customer(s):`);
  for (const c of page.items) {
    const phone = c.fields.contact?.phone ?? '—';
    const credit = c.fields.commercial?.creditLimit ?? '—';
    console.log(`  ${c.id} ${c.name}  phone ${phone}  credit ${credit}`);
  }
  for (const notice of new Set(page.items.flatMap((c) => c.notices))) console.log(`  ${notice}`);
}

// 4. Every read above is in a tamper-evident audit chain.
const verified = await acme.audit.verify();
console.log(`\naudit chain: ${verified.ok ? 'verified' : 'BROKEN'}, ${verified.entries} entries`);
