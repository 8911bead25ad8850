// A small company for the portal to serve until the demo seeds a bigger one:
// HQ and one branch with two teams, a manager, HR and three reps, and their
// customers; one portal login per person.
import { type CustomerInput, type Guard, hmacKeys, type TenantGuard } from '@guard/core';
import type Database from 'better-sqlite3';
import { users } from './host-db.js';

export const TENANT = { id: 'huadong', name: '华东贸易', timeZone: 'Asia/Shanghai' } as const;

/** The audit keys of the example (a real product keeps its key in a secret store: see the operations guide). */
export const PORTAL_KEYS = hmacKeys({
  current: 'k1',
  keys: { k1: process.env.GUARD_AUDIT_KEY ?? 'portal-example-audit-key-32-chars!' },
});

/** A login of the HR product: a user linked to the Guard employee they are. */
export interface PortalLogin {
  readonly username: string;
  readonly displayName: string;
  readonly employeeId: string;
  /** What they do, for the list of logins printed at start. */
  readonly role: string;
}

/** Every login's password in the example. A real product has its own sign-up and SSO. */
export const DEMO_PASSWORD = 'guard-demo';

export const LOGINS: readonly PortalLogin[] = [
  { username: 'lilei', displayName: '李雷', employeeId: 'e-lilei', role: 'sales rep / 销售' },
  { username: 'hanmeimei', displayName: '韩梅梅', employeeId: 'e-hanmeimei', role: 'sales rep / 销售' },
  { username: 'wang', displayName: '王经理', employeeId: 'e-wang', role: 'manager / 经理' },
  { username: 'zhaomin', displayName: '赵敏', employeeId: 'e-zhaomin', role: 'HR / 人事' },
  { username: 'qianfang', displayName: '钱芳', employeeId: 'e-qianfang', role: 'finance / 财务' },
];

const REPS = ['e-lilei', 'e-hanmeimei', 'e-liuyang'] as const;
const COMPANIES = ['华东机电', '申江物流', '钱塘纺织', '浦江食品', '临安化工', '松江电子', '西湖茶业', '吴淞钢构'];
const CITIES = ['上海', '杭州', '苏州', '宁波'];

function customers(): CustomerInput[] {
  return Array.from({ length: 24 }, (_, i) => {
    const ownerId = REPS[i % REPS.length] as string;
    return {
      id: `c-${String(i + 1).padStart(3, '0')}`,
      name: `${COMPANIES[i % COMPANIES.length]}${i >= COMPANIES.length ? ` ${Math.floor(i / COMPANIES.length) + 1} 号` : ''}`,
      ownerId: i === 23 ? null : ownerId,
      unitId: ownerId === 'e-liuyang' ? 'sh-2' : 'sh-1',
      fields: {
        public: { city: CITIES[i % CITIES.length] as string, industry: '制造业' },
        contact: {
          contactName: ['王建国', '刘芳', '陈静', '杨帆'][i % 4] as string,
          phone: `138${String(10_000_000 + i * 7_654_321).slice(-8)}`,
          email: `buyer${i + 1}@example.cn`,
        },
        commercial: { creditLimit: 100_000 + i * 25_000, annualRevenue: 1_000_000 + i * 130_000 },
      },
    };
  });
}

const CONFIDENTIALITY = `一、员工在职期间及离职后，对公司的客户名单、联系方式、交易价格、订单与应收款等商业秘密负有保密义务。
二、客户资料归公司所有。员工不得私自复制、导出、删除或带走客户资料，不得将客户转移至个人或其他单位。
三、离职时，员工应按公司要求完成客户交接，并配合客户签署交接确认函。
四、违反本协议给公司造成损失的，员工应依法承担赔偿责任。`;

/** Seeds Guard (directory, customers, agreements, training) and the host's logins; safe to run twice. */
export async function seedPortal(guard: Guard, db: Database.Database): Promise<void> {
  await guard.tenants.upsert(TENANT);
  const acme = guard.tenant(TENANT.id);
  await acme.directory.sync({
    units: [
      { id: 'hq', name: '总部', kind: 'hq', parentId: null },
      { id: 'sh', name: '上海分公司', kind: 'branch', parentId: 'hq' },
      { id: 'sh-1', name: '上海销售一组', kind: 'team', parentId: 'sh' },
      { id: 'sh-2', name: '上海销售二组', kind: 'team', parentId: 'sh' },
    ],
    employees: [
      { id: 'e-zhaomin', name: '赵敏', unitId: 'hq', roles: ['hr-admin'], hireDate: '2016-07-11' },
      { id: 'e-qianfang', name: '钱芳', unitId: 'hq', roles: ['finance'], hireDate: '2017-03-20' },
      { id: 'e-wang', name: '王经理', unitId: 'sh', roles: ['manager', 'sales'], hireDate: '2015-02-02' },
      { id: 'e-lilei', name: '李雷', unitId: 'sh-1', managerId: 'e-wang', roles: ['sales'], hireDate: '2021-09-01' },
      {
        id: 'e-hanmeimei',
        name: '韩梅梅',
        unitId: 'sh-1',
        managerId: 'e-wang',
        roles: ['sales'],
        hireDate: '2020-04-15',
      },
      { id: 'e-liuyang', name: '刘洋', unitId: 'sh-2', managerId: 'e-wang', roles: ['sales'], hireDate: '2022-06-20' },
    ],
  });
  await acme.customers.upsert(customers());
  await publishAgreementAndTraining(acme, ['e-lilei', 'e-hanmeimei', 'e-liuyang', 'e-wang'], Date.now());
  await addLogins(db, LOGINS);
}

/**
 * The confidentiality agreement every salesperson signs and the customer-data
 * training they complete, assigned to `employeeIds`; safe to run twice.
 */
export async function publishAgreementAndTraining(
  acme: TenantGuard,
  employeeIds: readonly string[],
  now: number,
): Promise<void> {
  await acme.agreements.publishTemplate({
    templateId: 'confidentiality',
    kind: 'confidentiality',
    title: '保密协议（2026 版）',
    version: 1,
    text: CONFIDENTIALITY,
  });
  for (const employeeId of employeeIds) {
    await acme.agreements.assignOnboarding({ employeeId });
    if ((await acme.training.forEmployee(employeeId)).length === 0) {
      await acme.training.assign({
        employeeId,
        courseId: 'customer-data-2026',
        title: '客户信息保护与离职交接培训',
        dueAt: new Date(now + 14 * 86_400_000).toISOString(),
      });
    }
  }
}

/** The host's users for `logins`, every one with {@link DEMO_PASSWORD}, in Chinese. */
export async function addLogins(db: Database.Database, logins: readonly PortalLogin[]): Promise<void> {
  const accounts = users(db);
  for (const login of logins) {
    const { role: _role, ...user } = login;
    await accounts.add({ ...user, password: DEMO_PASSWORD, locale: 'zh-CN' });
  }
}
