#!/usr/bin/env node
// Every exported symbol of every package must have TSDoc with an @example.
// Reads the JSON that `pnpm docs:api` writes to docs/api/api.json.
import { readFileSync } from 'node:fs';

const project = JSON.parse(readFileSync(new URL('../docs/api/api.json', import.meta.url), 'utf8'));

const hasExample = (comment) => Boolean(comment?.blockTags?.some((tag) => tag.tag === '@example'));
const documented = (reflection) =>
  hasExample(reflection.comment) ||
  (reflection.signatures ?? []).some((s) => hasExample(s.comment)) ||
  hasExample(reflection.getSignature?.comment);

const missing = [];
let checked = 0;
const modules = project.children?.some((c) => c.kind === 2) ? project.children : [project];
for (const mod of modules) {
  for (const reflection of mod.children ?? []) {
    checked++;
    if (!documented(reflection)) missing.push(`${mod.name}: ${reflection.name}`);
  }
}
if (missing.length > 0) {
  console.error(`✖ ${missing.length} exported symbol(s) without a TSDoc @example:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`✔ ${checked} exported symbols, each with TSDoc and an @example`);
