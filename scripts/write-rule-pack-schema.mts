// Writes what derives from the fact catalog (`pnpm schema:rules`), formatted by Biome like every other
// file: packages/core/rule-pack.schema.json, and the fact tables of docs/guides/rule-authoring.md.
// Core tests fail when either is stale.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtInFacts, type FactDefinition, rulePackJsonSchema } from '../packages/core/src/index.ts';

const schema = fileURLToPath(new URL('../packages/core/rule-pack.schema.json', import.meta.url));
writeFileSync(schema, `${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);

const WINDOW = /^(.*?)(7|30|90)d$/;

/** One row per fact; the 7-, 30- and 90-day facts of one signal share a row. */
function table(facts: Readonly<Record<string, FactDefinition>>): string {
  const rows = ['| fact | type | meaning | missing when |', '| --- | --- | --- | --- |'];
  for (const [name, d] of Object.entries(facts)) {
    const missing = d.missingWhen ?? (d.type === 'number' ? 'never (0 when nothing happened)' : 'never');
    const windowed = WINDOW.exec(name);
    const base = windowed?.[1];
    if (base !== undefined && [7, 30, 90].every((w) => `${base}${w}d` in facts)) {
      if (windowed?.[2] !== '7') continue;
      const names = [7, 30, 90].map((w) => `\`${base}${w}d\``).join(' · ');
      const meaning = d.description.en.replace('in the last 7 days', 'in the last 7, 30 or 90 days');
      rows.push(`| ${names} | ${d.type} | ${meaning} | ${missing} |`);
    } else {
      rows.push(`| \`${name}\` | ${d.type} | ${d.description.en} | ${missing} |`);
    }
  }
  return rows.join('\n');
}

const guide = fileURLToPath(new URL('../docs/guides/rule-authoring.md', import.meta.url));
let text = readFileSync(guide, 'utf8');
for (const subject of ['employee', 'customer'] as const) {
  const heading = `### ${subject} facts\n\n`;
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${guide}: no "### ${subject} facts" section`);
  const from = start + heading.length;
  const end = text.indexOf('\n\n', from);
  text = `${text.slice(0, from)}${table(builtInFacts[subject])}${text.slice(end)}`;
}
writeFileSync(guide, text);

execFileSync('npx', ['biome', 'format', '--write', schema, guide], { stdio: 'inherit' });
console.log(`wrote ${schema} and the fact tables of ${guide}`);
