import type { CustomerInput, EmployeeInput, OrgUnitInput } from '@guard/core';

/** 华东贸易 — a small chain sales company: HQ, one region, two branches, three teams. */
export const tenant = { id: 'huadong', name: '华东贸易 Huadong Trading', timeZone: 'Asia/Shanghai' } as const;

export const units: OrgUnitInput[] = [
  { id: 'hq', name: '总部 HQ', kind: 'hq', parentId: null },
  { id: 'east', name: '华东大区 East region', kind: 'region', parentId: 'hq' },
  { id: 'sh', name: '上海分公司 Shanghai branch', kind: 'branch', parentId: 'east' },
  { id: 'hz', name: '杭州分公司 Hangzhou branch', kind: 'branch', parentId: 'east' },
  { id: 'sh-1', name: '上海销售一组 Shanghai team 1', kind: 'team', parentId: 'sh' },
  { id: 'sh-2', name: '上海销售二组 Shanghai team 2', kind: 'team', parentId: 'sh' },
  { id: 'hz-1', name: '杭州销售一组 Hangzhou team 1', kind: 'team', parentId: 'hz' },
];

/** The people the story follows, plus their colleagues. */
export const people = {
  rep: 'e-lilei',
  teammate: 'e-hanmeimei',
  manager: 'e-wang',
  hr: 'e-zhaomin',
  frozen: 'e-zhangwei',
  finance: 'e-qianfang',
  /** Still on the job, quietly moving her customers' data: Guard should see it coming. */
  poacher: 'e-sunli',
  /** Leaves honestly: Guard should leave him alone. */
  leaver: 'e-zhoujie',
} as const;

export const employees: EmployeeInput[] = [
  { id: 'e-ceo', name: '陈总 Chen', unitId: 'hq', roles: ['executive'], rank: 9, hireDate: '2012-03-01' },
  {
    id: people.hr,
    name: '赵敏 Zhao Min',
    unitId: 'hq',
    managerId: 'e-ceo',
    roles: ['hr-admin'],
    rank: 5,
    hireDate: '2016-07-11',
  },
  {
    id: people.finance,
    name: '钱芳 Qian Fang',
    unitId: 'hq',
    managerId: 'e-ceo',
    roles: ['finance'],
    rank: 5,
    hireDate: '2017-03-20',
  },
  {
    id: people.manager,
    name: '王经理 Manager Wang',
    unitId: 'sh',
    managerId: 'e-ceo',
    roles: ['manager', 'sales'],
    rank: 6,
    hireDate: '2015-02-02',
    performanceBand: 'A',
  },
  {
    id: people.rep,
    name: '李雷 Li Lei',
    unitId: 'sh-1',
    managerId: people.manager,
    roles: ['sales'],
    rank: 2,
    hireDate: '2021-09-01',
    performanceBand: 'B',
  },
  {
    id: people.teammate,
    name: '韩梅梅 Han Meimei',
    unitId: 'sh-1',
    managerId: people.manager,
    roles: ['sales'],
    rank: 3,
    hireDate: '2020-04-15',
    performanceBand: 'A',
  },
  {
    id: 'e-liuyang',
    name: '刘洋 Liu Yang',
    unitId: 'sh-2',
    managerId: people.manager,
    roles: ['sales'],
    rank: 2,
    hireDate: '2022-06-20',
    performanceBand: 'C',
  },
  {
    id: people.frozen,
    name: '张伟 Zhang Wei',
    unitId: 'hz-1',
    managerId: 'e-ceo',
    roles: ['sales'],
    rank: 2,
    hireDate: '2019-01-07',
    status: 'frozen',
  },
  {
    id: people.poacher,
    name: '孙丽 Sun Li',
    unitId: 'hz-1',
    managerId: 'e-ceo',
    roles: ['sales'],
    rank: 4,
    hireDate: '2018-05-30',
    performanceBand: 'A',
  },
  {
    id: people.leaver,
    name: '周杰 Zhou Jie',
    unitId: 'hz-1',
    managerId: 'e-ceo',
    roles: ['sales'],
    rank: 2,
    hireDate: '2023-03-06',
    performanceBand: 'B',
  },
];

const companies = ['华东机电', '申江物流', '钱塘纺织', '浦江食品', '临安化工', '松江电子', '西湖茶业', '吴淞钢构'];
const industries = ['制造业', '物流', '纺织', '食品', '化工', '电子', '农业', '建筑'];
const owners = [people.rep, people.teammate, 'e-liuyang', people.frozen, people.poacher];
const unitOf: Record<string, string> = {
  [people.rep]: 'sh-1',
  [people.teammate]: 'sh-1',
  'e-liuyang': 'sh-2',
  [people.frozen]: 'hz-1',
  [people.poacher]: 'hz-1',
};

/** Forty customers spread over five reps, with contact and commercial fields. */
export function customers(): CustomerInput[] {
  return Array.from({ length: 40 }, (_, i) => {
    const owner = owners[i % owners.length] as string;
    const n = String(i + 1).padStart(3, '0');
    return {
      id: `c-${n}`,
      name: `${companies[i % companies.length]}${i >= companies.length ? ` ${Math.floor(i / companies.length) + 1}号` : ''}`,
      ownerId: owner,
      unitId: unitOf[owner] as string,
      fields: {
        public: { industry: industries[i % industries.length] as string, city: i % 3 === 0 ? '杭州' : '上海' },
        contact: {
          contactName: ['王建国', '刘芳', '陈静', '杨帆'][i % 4] as string,
          phone: `138${String(10_000_000 + i * 7_919).slice(0, 8)}`,
          email: `buyer${n}@example.cn`,
        },
        commercial: { creditLimit: 100_000 + i * 25_000, annualRevenue: 1_000_000 + i * 130_000 },
      },
    };
  });
}

/**
 * Three customers in the public pool (公海); the first looks like a duplicate
 * of c-001 (same company, same phone written differently).
 */
export function poolCustomers(): CustomerInput[] {
  const first = customers()[0] as CustomerInput;
  const phone = String(first.fields?.contact?.phone ?? '');
  return [
    {
      id: 'c-041',
      name: `${first.name}有限公司`,
      ownerId: null,
      unitId: 'sh',
      fields: {
        public: { industry: '制造业', city: '上海' },
        contact: { contactName: '王建国', phone: `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}` },
      },
    },
    {
      id: 'c-042',
      name: '崇明生态农业',
      ownerId: null,
      unitId: 'sh',
      fields: { public: { industry: '农业', city: '上海' }, contact: { phone: '13900001234' } },
    },
    {
      id: 'c-043',
      name: '余杭包装材料',
      ownerId: null,
      unitId: 'hz',
      fields: { public: { industry: '制造业', city: '杭州' }, contact: { phone: '13700005678' } },
    },
  ];
}
