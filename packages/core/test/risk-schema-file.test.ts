import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulePackJsonSchema } from '../src/index.js';

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
});
