// Measures the default risk packs (or packs given as files) against Guard's
// targets on a simulated organisation: `pnpm risk:targets --seed 2027 --branches 8`.
// The figures in docs/guides/risk.md come from this script.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultRulePacks, parseRulePack } from '../packages/core/src/index.ts';
import { measureRiskTargets, missedRiskTargets, simulateSalesOrg } from '../packages/testkit/src/index.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    seed: { type: 'string', default: '2027' },
    branches: { type: 'string', default: '8' },
    customers: { type: 'string', default: '30' },
    exfiltration: { type: 'string' },
    'flight-risk': { type: 'string' },
    diversion: { type: 'string' },
    churn: { type: 'string' },
    'contact-channel': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: pnpm risk:targets [--seed 2027] [--branches 8] [--customers 30] [--contact-channel]
                         [--exfiltration pack.json] [--flight-risk pack.json] [--diversion pack.json] [--churn pack.json]

Simulates a year of a sales organisation (25 reps and a manager per branch, --customers per rep),
scores it with the default packs (or the packs given) and prints what the targets measure,
then the targets missed. Exit code 1 when a target is missed.
--contact-channel also simulates WeCom's signals (chats, new contacts, deleted contacts).`);
  process.exit(0);
}

const pack = (file: string | undefined, fallback: (typeof defaultRulePacks)[keyof typeof defaultRulePacks]) =>
  file === undefined ? fallback : parseRulePack(JSON.parse(readFileSync(file, 'utf8')));
const options = {
  seed: Number(values.seed),
  branches: Number(values.branches),
  customersPerRep: Number(values.customers),
  contactChannel: values['contact-channel'],
};
const started = performance.now();
const measures = measureRiskTargets(simulateSalesOrg(options), {
  exfiltration: pack(values.exfiltration, defaultRulePacks.exfiltration),
  flightRisk: pack(values['flight-risk'], defaultRulePacks.flightRisk),
  diversion: pack(values.diversion, defaultRulePacks.diversion),
  churn: pack(values.churn, defaultRulePacks.churn),
});
console.log(JSON.stringify({ options, ...measures }, null, 2));
const missed = missedRiskTargets(measures);
console.log(missed.length === 0 ? 'every target met' : `targets missed:\n  ${missed.join('\n  ')}`);
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = missed.length === 0 ? 0 : 1;
