// Writes labelled histories for `guard rules backtest` from the testkit's
// simulated sales organisation (`pnpm simulate --seed 42 --months 24`):
// one JSONL file per purpose, the numbers in docs/guides/rule-authoring.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type HistoryPurpose, labelledHistory, simulateSalesOrg, toJsonl } from '../packages/testkit/src/index.ts';

const { values } = parseArgs({
  // `pnpm simulate -- --seed 7` hands the `--` on: drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    seed: { type: 'string', default: '42' },
    months: { type: 'string', default: '24' },
    branches: { type: 'string', default: '6' },
    reps: { type: 'string', default: '25' },
    customers: { type: 'string', default: '20' },
    out: { type: 'string', default: '.backtest-data' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: pnpm simulate [--seed 42] [--months 24] [--branches 6] [--reps 25] [--customers 20] [--out .backtest-data]

Simulates a sales organisation (reps per branch, customers per rep) with poachers,
honest leavers, diverted and churned customers, and writes one labelled history per
purpose to --out: employees-poaching.jsonl and employees-leaving.jsonl (weekly),
customers-diversion.jsonl and customers-churn.jsonl (monthly).`);
  process.exit(0);
}

function integer(name: keyof typeof values): number {
  const text = String(values[name]);
  const n = Number(text);
  if (!Number.isInteger(n)) {
    console.error(`--${name} must be an integer, got "${text}"`);
    process.exit(2);
  }
  return n;
}

const options = {
  seed: integer('seed'),
  months: integer('months'),
  branches: integer('branches'),
  repsPerBranch: integer('reps'),
  customersPerRep: integer('customers'),
};
const out = resolve(String(values.out));
const started = performance.now();
let sim: ReturnType<typeof simulateSalesOrg>;
try {
  sim = simulateSalesOrg(options);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const files: [string, 'employee' | 'customer', HistoryPurpose, 'week' | 'month'][] = [
  ['employees-poaching.jsonl', 'employee', 'poaching', 'week'],
  ['employees-leaving.jsonl', 'employee', 'leaving', 'week'],
  ['customers-diversion.jsonl', 'customer', 'diversion', 'month'],
  ['customers-churn.jsonl', 'customer', 'churn', 'month'],
];
for (const [name, subject, purpose, every] of files) {
  const rows = labelledHistory(sim, { subject, purpose, every });
  const positives = new Set(rows.filter((r) => r.label.positive).map((r) => r.subject)).size;
  const subjects = new Set(rows.map((r) => r.subject)).size;
  writeFileSync(join(out, name), toJsonl(rows));
  console.log(`${join(out, name)}: ${rows.length} snapshots of ${subjects} ${subject}s, ${positives} positive`);
}
console.log(`seed ${options.seed}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
