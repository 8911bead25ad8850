import { writeFileSync } from 'node:fs';
import { type AuditBenchRow, auditBench } from './audit.js';
import { machine } from './machine.js';
import { type Figure, formatRate } from './stats.js';

// `pnpm bench` measures and writes docs/benchmarks.md; `pnpm bench:quick`
// (run by CI) does a little of everything to prove the benchmarks still run,
// and prints without writing: CI's machine is shared, so its timings are not
// figures anyone should quote.
const quick = process.argv.includes('--quick');
const postgresUrl = process.env.GUARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const size = quick
  ? { perCommand: 100, batched: 2000, batchSize: 500, runs: 1 }
  : { perCommand: 2000, batched: 50_000, batchSize: 500, runs: 5 };

const ratio = (a: Figure, b: Figure) => `${(a.median / b.median).toFixed(2)}×`;

function auditTable(rows: readonly AuditBenchRow[]): string {
  const lines = [
    '| database | operation | Guard | plain driver | Guard ÷ plain |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.database} | ${r.operation} | ${formatRate(r.guard)} | ${formatRate(r.baseline)} — ${r.baselineLabel} | ${ratio(r.guard, r.baseline)} |`,
    ),
  ];
  return lines.join('\n');
}

/** Issue #3's targets, each set beside what Guard and the plain driver reached in this run. */
const targets = [
  { database: 'SQLite', operation: 'append, batches of', perSecond: 50_000 },
  { database: 'Postgres', operation: 'append, batches of', perSecond: 30_000 },
  { database: 'SQLite', operation: 'verify', perSecond: 300_000 },
  { database: 'Postgres', operation: 'verify', perSecond: 300_000 },
] as const;

function targetTable(rows: readonly AuditBenchRow[]): string {
  const lines = ['| target | Guard | plain driver | met |', '|---|---|---|---|'];
  for (const t of targets) {
    const row = rows.find((r) => r.database === t.database && r.operation.startsWith(t.operation));
    if (!row) continue;
    const verdict =
      row.guard.median >= t.perSecond
        ? 'yes'
        : row.baseline.median < t.perSecond
          ? 'no — the plain driver does not reach it here either'
          : 'no';
    lines.push(
      `| ${t.database} ${row.operation}: ≥ ${t.perSecond / 1000}k/s | ${formatRate(row.guard)} | ${formatRate(row.baseline)} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

console.log(`Guard benchmarks${quick ? ' (quick: checks that they run; the figures mean nothing)' : ''}`);
console.log(machine());
const audit = await auditBench(size, postgresUrl);
const table = auditTable(audit);
console.log(`\n${table}\n`);

if (!quick) {
  const doc = `# Benchmarks

Figures are entries per second: the median of ${size.runs} runs, with the
slowest and fastest run in brackets. Each Guard figure stands next to a plain
driver doing the same work on the same rows in the same run, so the ratio —
not the absolute number — is what carries over to another machine.

Measured on: ${machine()}.

Reproduce (Postgres on \`GUARD_BENCH_POSTGRES_URL\`, default
\`postgres://postgres@127.0.0.1:5432/test\`):

\`\`\`sh
npx pnpm@10 install && npx pnpm@10 build && npx pnpm@10 bench
\`\`\`

## Audit chain

Appends go through \`AuditLog.append\` on the real store (head row locked per
tenant, entries hashed, a signed checkpoint every 1,000 entries); the plain
driver inserts the same, already-hashed rows into a table with the same
columns. "Verify" streams the whole chain from the database and re-hashes
every entry; its baseline only reads the rows.

${table}

### Against the targets of issue #3

${targetTable(audit)}

Where Guard's time goes, per entry: validating the draft, canonical JSON and
SHA-256 of the entry (the chain), then the store's work — the head row lock,
the insert into a table with four indexes (by sequence, actor, subject and
time, which make audit queries cheap), and the head update, all in one
transaction. A single-entry command pays a whole transaction of several
statements. Verifying re-serialises and re-hashes every entry after reading
it.
`;
  writeFileSync(new URL('../../docs/benchmarks.md', import.meta.url), doc);
  console.log('wrote docs/benchmarks.md');
}
