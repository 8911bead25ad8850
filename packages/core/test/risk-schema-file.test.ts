import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInFacts, rulePackJsonSchema } from '../src/index.js';

describe('rule-pack.schema.json', () => {
  it('is the schema the code builds (run `pnpm schema:rules` after changing facts or operators)', () => {
    const file = JSON.parse(readFileSync(new URL('../rule-pack.schema.json', import.meta.url), 'utf8'));
    expect(file).toEqual(rulePackJsonSchema());
  });

  it('is what the default packs point their $schema at', () => {
    for (const name of [
      'employee-flight-risk',
      'employee-data-exfiltration',
      'customer-churn',
      'post-departure-order-diversion',
    ]) {
      const pack = JSON.parse(readFileSync(new URL(`../src/risk/packs/${name}.json`, import.meta.url), 'utf8'));
      expect(new URL(pack.$schema, new URL(`../src/risk/packs/${name}.json`, import.meta.url)).href).toBe(
        new URL('../rule-pack.schema.json', import.meta.url).href,
      );
    }
  });

  it('the fact tables of the rule-authoring guide list exactly the built-in facts (`pnpm schema:rules` writes them)', () => {
    const guide = readFileSync(new URL('../../../docs/guides/rule-authoring.md', import.meta.url), 'utf8');
    for (const subject of ['employee', 'customer'] as const) {
      const start = guide.indexOf(`### ${subject} facts`);
      const section = guide.slice(start, guide.indexOf('\n\n', guide.indexOf('| fact', start)));
      const listed = section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
      expect(listed.sort()).toEqual(Object.keys(builtInFacts[subject]).sort());
    }
  });
});
