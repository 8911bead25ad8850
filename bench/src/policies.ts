import { isDeepStrictEqual } from 'node:util';
import { AbilityBuilder, createMongoAbility, type MongoAbility, subject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import { type AccessResource, type AccessSubject, compilePolicy, definePolicy } from '@guard/core';
import { type Enforcer, newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { prng } from './random.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface PolicyBenchSize {
  readonly customers: number;
  readonly users: number;
  /** Random checks before timing, on which all four engines must agree. */
  readonly agreement: number;
  /** Random checks per timed run. */
  readonly checks: number;
  readonly runs: number;
}

/** What the policy section measured: checks per second, per engine. */
export interface PolicyBenchResult {
  readonly agreed: number;
  readonly allowedShare: number;
  readonly rows: readonly { readonly engine: string; readonly how: string; readonly figure: Figure }[];
}

type Action = 'read' | 'export';
type Level = 'show' | 'mask';
/** A decision as every engine gives it: `null` = denied, else each visible field class and its level. */
type Outcome = Readonly<Record<string, Level>> | null;

const CLASSES = ['public', 'contact', 'commercial'] as const;
const TEAMS = 20;
const SALES_PER_TEAM = 8;

interface User extends AccessSubject {}
interface Customer extends AccessResource {}

/**
 * 200 users: a manager and eight reps per team (20 teams in 4 branches),
 * half the managers holding the export grant, four HR admins, and every
 * 25th rep frozen. 10,000 customers, each owned by a rep (one in ten in
 * the public pool).
 */
function world(size: PolicyBenchSize) {
  const teamPath = (t: number) => ['hq', `b-${t % 4}`, `t-${t}`];
  const users: User[] = [];
  const base = { rank: 1, hireDate: '2022-01-01', performanceBand: null } as const;
  for (let t = 0; t < TEAMS; t++) {
    users.push({
      ...base,
      id: `m-${t}`,
      status: 'active',
      unitId: `t-${t}`,
      roles: t % 2 ? ['manager', 'exporter'] : ['manager'],
    });
    for (let r = 0; r < SALES_PER_TEAM; r++) {
      const n = t * SALES_PER_TEAM + r;
      users.push({
        ...base,
        id: `e-${n}`,
        status: n % 25 === 3 ? 'frozen' : 'active',
        unitId: `t-${t}`,
        roles: ['sales'],
      });
    }
  }
  while (users.length < size.users) {
    users.push({ ...base, id: `hr-${users.length}`, status: 'active', unitId: 'hq', roles: ['hr-admin'] });
  }
  const reps = TEAMS * SALES_PER_TEAM;
  const customers: Customer[] = Array.from({ length: size.customers }, (_, i) => {
    const rep = i % reps;
    const team = Math.floor(rep / SALES_PER_TEAM);
    return { id: `c-${i}`, ownerId: i % 10 === 9 ? null : `e-${rep}`, unitId: `t-${team}`, unitPath: teamPath(team) };
  });
  return { users, customers };
}

/** The policy in Guard's JSON. */
const guardPolicy = definePolicy({
  version: 1,
  fieldClasses: [...CLASSES],
  rules: [
    {
      id: 'sales-own',
      effect: 'allow',
      actions: ['read'],
      roles: ['sales'],
      scope: 'own',
      fields: { public: 'show', contact: 'show', commercial: 'show' },
    },
    {
      id: 'sales-team',
      effect: 'allow',
      actions: ['read'],
      roles: ['sales'],
      scope: 'team',
      fields: { public: 'show' },
    },
    {
      id: 'manager-team',
      effect: 'allow',
      actions: ['read'],
      roles: ['manager'],
      scope: 'team',
      fields: { public: 'show', contact: 'show', commercial: 'show' },
    },
    {
      id: 'export-grant',
      effect: 'allow',
      actions: ['export'],
      roles: ['exporter'],
      scope: 'team',
      fields: { public: 'show', contact: 'show', commercial: 'show' },
    },
    {
      id: 'hr-tenant',
      effect: 'allow',
      actions: ['read'],
      roles: ['hr-admin'],
      scope: 'tenant',
      fields: { public: 'show', contact: 'mask', commercial: 'show' },
    },
  ],
});

/** Guard: the compiled policy's decision, its field levels as the outcome. */
function guardEngine() {
  const policy = compilePolicy(guardPolicy);
  const context = { now: new Date('2026-11-02T02:00:00.000Z'), timeZone: 'Asia/Shanghai' };
  return (user: User, action: Action, customer: Customer): Outcome => {
    const d = policy.decide(user, action, customer, context);
    if (!d.allow) return null;
    const out: Record<string, Level> = {};
    for (const cls of CLASSES) {
      const level = d.fields[cls];
      if (level === 'show' || level === 'mask') out[cls] = level;
    }
    return out;
  };
}

const ALL: Outcome = { public: 'show', contact: 'show', commercial: 'show' };
const PUBLIC: Outcome = { public: 'show' };
const MASKED: Outcome = { public: 'show', contact: 'mask', commercial: 'show' };

/** The hand closure: the policy as a developer would write it without an engine. */
function closureEngine() {
  return (user: User, action: Action, c: Customer): Outcome => {
    if (user.status === 'frozen' || user.status === 'departed') return null;
    const inTeam = c.unitPath.includes(user.unitId);
    let out: Outcome = null;
    for (const role of user.roles) {
      if (action === 'read') {
        if (role === 'manager' && inTeam) return ALL;
        if (role === 'sales' && c.ownerId === user.id) return ALL;
        if (role === 'hr-admin') out = MASKED;
        if (role === 'sales' && inTeam) out ??= PUBLIC;
      } else if (role === 'exporter' && inTeam) return ALL;
    }
    return out;
  };
}

/** CASL: one ability per user, built once; field classes as CASL fields, the masked class as its own action. */
function caslEngine(users: readonly User[]) {
  const abilities = new Map<string, MongoAbility>();
  for (const user of users) {
    const { can, build } = new AbilityBuilder<MongoAbility>(createMongoAbility);
    if (user.status !== 'frozen' && user.status !== 'departed') {
      if (user.roles.includes('sales')) {
        can('read', 'Customer', [...CLASSES], { ownerId: user.id });
        can('read', 'Customer', ['public'], { unitPath: user.unitId });
      }
      if (user.roles.includes('manager')) can('read', 'Customer', [...CLASSES], { unitPath: user.unitId });
      if (user.roles.includes('exporter')) can('export', 'Customer', [...CLASSES], { unitPath: user.unitId });
      if (user.roles.includes('hr-admin')) {
        can('read', 'Customer', ['public', 'commercial']);
        can('read-masked', 'Customer', ['contact']);
      }
    }
    abilities.set(user.id, build());
  }
  const fieldsFrom = (rule: { fields?: string[] | string }) =>
    rule.fields === undefined ? [...CLASSES] : Array.isArray(rule.fields) ? rule.fields : [rule.fields];
  return (user: User, action: Action, c: Customer): Outcome => {
    const ability = abilities.get(user.id) as MongoAbility;
    const doc = subject('Customer', { ...c });
    if (!ability.can(action, doc)) return null;
    const out: Record<string, Level> = {};
    for (const f of permittedFieldsOf(ability, action, doc, { fieldsFrom })) out[f] = 'show';
    if (action === 'read') {
      for (const f of permittedFieldsOf(ability, 'read-masked', doc, { fieldsFrom })) out[f] ??= 'mask';
    }
    return out;
  };
}

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act, cls

[policy_definition]
p = role, scope, act, cls, level

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub.status != "frozen" && hasRole(r.sub.roles, p.role) && inScope(r.sub, r.obj, p.scope) && r.act == p.act && r.cls == p.cls
`;

/** Casbin: the policy as role, scope, action, class and level lines; `enforceSync` per class (show first, then mask). */
async function casbinEngine() {
  const lines: string[] = [];
  const allow = (role: string, scope: string, act: string, levels: Readonly<Record<string, Level>>) => {
    for (const [cls, level] of Object.entries(levels))
      lines.push(`p, ${role}, ${scope}, ${act}:${level}, ${cls}, ${level}`);
  };
  allow('sales', 'own', 'read', ALL as Record<string, Level>);
  allow('sales', 'team', 'read', PUBLIC as Record<string, Level>);
  allow('manager', 'team', 'read', ALL as Record<string, Level>);
  allow('exporter', 'team', 'export', ALL as Record<string, Level>);
  allow('hr-admin', 'tenant', 'read', MASKED as Record<string, Level>);
  const enforcer: Enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
  await enforcer.addFunction('hasRole', (roles: string[], role: string) => roles.includes(role));
  await enforcer.addFunction('inScope', (sub: User, obj: Customer, scope: string) =>
    scope === 'tenant' ? true : scope === 'own' ? obj.ownerId === sub.id : obj.unitPath.includes(sub.unitId),
  );
  return (user: User, action: Action, c: Customer): Outcome => {
    const out: Record<string, Level> = {};
    for (const cls of CLASSES) {
      if (enforcer.enforceSync(user, c, `${action}:show`, cls)) out[cls] = 'show';
      else if (enforcer.enforceSync(user, c, `${action}:mask`, cls)) out[cls] = 'mask';
    }
    // Every allowing line of this policy shows the public class: without it, the request is denied.
    return out.public === undefined ? null : out;
  };
}

/**
 * The random checks of a run: a user, an action (read three times in four)
 * and a customer — of the user's own unit six times in ten, as a user mostly
 * opens what they work on, else any customer of the tenant.
 */
function checks(n: number, users: readonly User[], customers: readonly Customer[], seed: number) {
  const r = prng(seed);
  const byUnit = new Map<string, Customer[]>();
  for (const c of customers) byUnit.set(c.unitId, [...(byUnit.get(c.unitId) ?? []), c]);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)] as T;
  return Array.from({ length: n }, () => {
    const user = pick(users);
    const near = byUnit.get(user.unitId);
    return {
      user,
      action: (r() < 0.75 ? 'read' : 'export') as Action,
      customer: near !== undefined && r() < 0.6 ? pick(near) : pick(customers),
    };
  });
}

/**
 * Guard's compiled policy, CASL (`@casl/ability`), casbin (`enforceSync`)
 * and a hand closure on the same policy — sales: own customers in full,
 * teammates' public fields; managers: their team in full; export only with
 * a grant; HR admins: the whole tenant with contacts masked; frozen staff:
 * nothing. Before timing, all four must give the same outcome (denied, or
 * the level of each field class) on `size.agreement` random checks, or the
 * bench fails.
 */
export async function policyBench(size: PolicyBenchSize, log: (line: string) => void): Promise<PolicyBenchResult> {
  const { users, customers } = world(size);
  const engines = [
    { engine: 'Guard', how: 'compiled JSON policy: `decide` with field levels', run: guardEngine() },
    { engine: 'CASL 7', how: 'an ability per user; `can` + `permittedFieldsOf`', run: caslEngine(users) },
    { engine: 'casbin 5', how: '`enforceSync` per field class and level', run: await casbinEngine() },
    { engine: 'hand closure', how: 'the policy as one function', run: closureEngine() },
  ];
  let allowed = 0;
  for (const { user, action, customer } of checks(size.agreement, users, customers, 1)) {
    const outcomes = engines.map((e) => e.run(user, action, customer));
    if (!outcomes.every((o) => isDeepStrictEqual(o, outcomes[0])))
      throw new Error(
        `bench: the engines disagree on ${user.id} (${user.roles.join(',')}) ${action} ${customer.id}: ${engines
          .map((e, i) => `${e.engine} ${JSON.stringify(outcomes[i])}`)
          .join('; ')}`,
      );
    if (outcomes[0] !== null) allowed++;
  }
  log(`  all four agree on ${size.agreement.toLocaleString('en-US')} random checks (${allowed} allowed)`);
  const rows: PolicyBenchResult['rows'][number][] = [];
  for (const e of engines) {
    let sink = 0;
    // casbin is three orders of magnitude slower: a hundredth of the checks keeps its rounds to seconds.
    const n = e.engine.startsWith('casbin') ? Math.ceil(size.checks / 100) : size.checks;
    const figure = await measure(size.runs, (run) => {
      const list = checks(n, users, customers, 100 + run);
      return rate(list.length, async () => {
        for (const { user, action, customer } of list) if (e.run(user, action, customer) !== null) sink++;
      });
    });
    if (sink === 0) throw new Error(`bench: ${e.engine} allowed nothing`);
    log(`  ${e.engine}: ${Math.round(figure.median).toLocaleString('en-US')} checks/s`);
    rows.push({ engine: e.engine, how: e.how, figure });
  }
  return { agreed: size.agreement, allowedShare: allowed / size.agreement, rows };
}
