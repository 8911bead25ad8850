// Writes packages/core/rule-pack.schema.json from the fact catalog (`pnpm schema:rules`),
// formatted by Biome like every other file. A core test fails when the file is stale.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rulePackJsonSchema } from '../packages/core/src/index.ts';

const target = fileURLToPath(new URL('../packages/core/rule-pack.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);
execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'inherit' });
console.log(`wrote ${target}`);
