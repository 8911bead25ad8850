import type { SignalKind } from '@guard/core';
import { type Calendar, HOUR, ramp, workingDaysIn, workTime } from './calendar.js';
import { createRng, type Rng } from './rng.js';

/** What the contact channel needs to know of an employee's plan (the organisation's `Plan` has it). */
export interface ContactPlan {
  readonly index: number;
  readonly role: 'manager' | 'sales-rep';
  readonly fate: 'stayer' | 'honest-leaver' | 'poacher';
  readonly traits: string[];
  readonly onLeave: Uint8Array;
  readonly lastDay: number;
  readonly resignDay?: number | undefined;
  readonly windowStart: number;
  readonly rampStart: number;
  readonly rampEnd: number;
}

/** What the contact channel needs to know of a customer. */
export interface ContactCustomer {
  readonly c: number;
  /** The first owner's plan index. */
  readonly owner: number;
  /** The successor's plan index, or -1. */
  readonly successor: number;
  /** The day the successor takes over (infinite when nobody does). */
  readonly handover: number;
  readonly fate: 'loyal' | 'churned' | 'diverted';
  /** The day a churned customer stops ordering. */
  readonly churnDay: number | undefined;
}

type Emit = (day: number, seconds: number, kind: SignalKind, e: number, c: number, v?: number) => void;

/**
 * The signals of a messaging channel with customers (WeCom, 企业微信), as
 * `@guard/crm-wecom` records them: a day's chats and new contacts per rep,
 * contacts a rep deletes, and customers who delete their rep. Every stream
 * is seeded on its own, so turning the channel on adds these signals and
 * changes nothing else.
 *
 * - **Everyone** chats 4–12 times a working day and adds a new contact every
 *   2–10 working days; 10% of reps have a quiet month at half their chats;
 *   now and then a rep deletes a contact (a duplicate, a spammer) and a
 *   customer deletes their rep.
 * - **Honest leavers** chat a little less (down to 80–95%) in their job
 *   search and hand over after resigning (down to 50%), and add nobody new
 *   once they have resigned.
 * - **Poachers** move conversations to their personal WeChat: chats fall to
 *   30–60% and new contacts to 0–30% over their last two months; 60% (20% of
 *   careful ones) delete 30–80% of the customers they divert from the company
 *   account in their last 30 days.
 * - **Customers** a poacher diverted delete their new owner in 40% of cases,
 *   10–60 days after the handover; churned customers delete their owner in
 *   15% of cases around the time they stop ordering.
 */
export function simulateContactChannel(
  seed: number,
  cal: Calendar,
  plans: readonly ContactPlan[],
  customers: readonly ContactCustomer[],
  emit: Emit,
): void {
  const byOwner = new Map<number, ContactCustomer[]>();
  for (const customer of customers) {
    const list = byOwner.get(customer.owner) ?? [];
    list.push(customer);
    byOwner.set(customer.owner, list);
  }
  for (const plan of plans) {
    if (plan.role !== 'sales-rep') continue;
    const rng = createRng(seed, 'contact-channel', plan.index);
    employeeChannel(plan, rng, cal, byOwner.get(plan.index) ?? [], emit);
  }
  for (const customer of customers) {
    customerChannel(customer, createRng(seed, 'contact-customer', customer.c), cal, plans, emit);
  }
}

function employeeChannel(plan: ContactPlan, rng: Rng, cal: Calendar, own: ContactCustomer[], emit: Emit): void {
  const e = plan.index;
  const lastDay = Math.min(plan.lastDay, cal.days - 1);
  const chatRate = rng.uniform(4, 12);
  const newContactRate = rng.uniform(0.1, 0.5);
  let quietFrom = cal.days;
  let quietTo = -1;
  if (rng.chance(0.1)) {
    const months = Math.max(1, Math.round(cal.days / 30.4));
    const m = rng.int(0, months - 1);
    quietFrom = cal.monthStart(m);
    quietTo = cal.monthStart(m + 1) - 1;
    plan.traits.push('quiet-month');
  }
  const poacher = plan.fate === 'poacher';
  const honest = plan.fate === 'honest-leaver';
  const resign = plan.resignDay ?? cal.days;
  const chatTarget = poacher ? rng.uniform(0.3, 0.6) : rng.uniform(0.8, 0.95);
  const newTarget = poacher ? rng.uniform(0, 0.3) : 1;

  for (let d = 0; d <= lastDay; d++) {
    const wd = cal.weekday[d];
    if (wd === 0 || wd === 6 || plan.onLeave[d] === 1) continue;
    let chats = chatRate * (d >= quietFrom && d <= quietTo ? 0.5 : 1);
    let added = newContactRate;
    if (poacher) {
      chats *= ramp(d, plan.rampStart, plan.rampEnd, chatTarget);
      added *= ramp(d, plan.rampStart, plan.rampEnd, newTarget);
    } else if (honest) {
      chats *= d < resign ? ramp(d, plan.windowStart, resign, chatTarget) : ramp(d, resign, lastDay, 0.5) * chatTarget;
      if (d >= resign) added = 0;
    }
    const n = rng.poisson(chats);
    if (n > 0) emit(d, 17 * HOUR + rng.int(0, HOUR - 1), 'chat', e, -1, n);
    const k = rng.poisson(added);
    if (k > 0) emit(d, 17 * HOUR + rng.int(0, HOUR - 1), 'new-contact', e, -1, k);
  }

  // Now and then a contact deleted for an ordinary reason: about one a year.
  const months = Math.ceil((lastDay + 1) / 30.4);
  for (let m = 0; m < months && own.length > 0; m++) {
    if (!rng.chance(0.08)) continue;
    const days = workingDaysIn(cal, cal.monthStart(m), Math.min(lastDay, cal.monthStart(m + 1) - 1));
    if (days.length > 0) emit(rng.pick(days), workTime(rng), 'contact-deleted', e, rng.pick(own).c);
  }

  // Poachers who strip the company account of the customers they take.
  if (poacher && rng.chance(plan.traits.includes('careful') ? 0.2 : 0.6)) {
    const diverted = rng.shuffle(own.filter((c) => c.fate === 'diverted'));
    const taken = diverted.slice(0, Math.round(rng.uniform(0.3, 0.8) * diverted.length));
    if (taken.length > 0) plan.traits.push('deletes-contacts');
    const days = workingDaysIn(cal, Math.max(0, lastDay - 30), lastDay);
    for (const customer of taken) {
      if (days.length > 0) emit(rng.pick(days), workTime(rng), 'contact-deleted', e, customer.c);
    }
  }
}

function customerChannel(
  customer: ContactCustomer,
  rng: Rng,
  cal: Calendar,
  plans: readonly ContactPlan[],
  emit: Emit,
): void {
  const ownerOn = (day: number) =>
    day >= customer.handover && customer.successor >= 0 ? customer.successor : customer.owner;
  const activeOn = (e: number, day: number) => day <= Math.min((plans[e] as ContactPlan).lastDay, cal.days - 1);
  const deleteOwner = (lo: number, hi: number) => {
    const from = Math.max(0, lo);
    const to = Math.min(cal.days - 1, hi);
    if (from > to) return;
    const day = rng.int(from, to);
    const e = ownerOn(day);
    if (activeOn(e, day)) emit(day, workTime(rng), 'deleted-by-customer', e, customer.c);
  };
  // Ordinary falling-outs: about one customer in 50 a year.
  if (rng.chance((0.02 * cal.days) / 365)) deleteOwner(0, cal.days - 1);
  if (customer.fate === 'diverted' && customer.successor >= 0 && rng.chance(0.4)) {
    deleteOwner(customer.handover + 10, customer.handover + 60);
  }
  if (customer.fate === 'churned' && customer.churnDay !== undefined && rng.chance(0.15)) {
    deleteOwner(customer.churnDay - 30, customer.churnDay + 10);
  }
}
