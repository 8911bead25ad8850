import { builtInFacts, type FactDefinition } from './facts.js';
import { RULE_PACK_LIMITS, ruleOperators } from './pack.js';
import type { RiskSubjectType } from './signals.js';

/**
 * The address the rule-pack JSON Schema is published under inside the
 * package: `@guard/core/rule-pack.schema.json`. Put it in a pack's
 * `$schema` (as a relative path to `node_modules/@guard/core/rule-pack.schema.json`)
 * for completion and inline errors in VS Code and JetBrains editors.
 *
 * @example
 * ```ts
 * import { RULE_PACK_SCHEMA_ID } from '@guard/core';
 * console.log(RULE_PACK_SCHEMA_ID);
 * ```
 */
export const RULE_PACK_SCHEMA_ID = 'https://guard.dev/schemas/rule-pack.schema.json';

type JsonSchema = Record<string, unknown>;

const text = (description: string): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: ['en', 'zh-CN'],
  properties: {
    en: { type: 'string', minLength: 1, maxLength: 500 },
    'zh-CN': { type: 'string', minLength: 1, maxLength: 500 },
  },
});

const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,99}$';

function factEnum(subject: RiskSubjectType): JsonSchema {
  const defs = Object.values(builtInFacts[subject]) as FactDefinition[];
  return {
    anyOf: [
      {
        type: 'string',
        description: `A built-in ${subject} fact.`,
        enum: defs.map((d) => d.name),
        enumDescriptions: defs.map((d) => describeFact(d)),
        markdownEnumDescriptions: defs.map((d) => describeFact(d)),
      },
      {
        type: 'string',
        description:
          'A fact of a signal kind the tenant declares (settings risk.customSignals): x-usb-copy gives xUsbCopy7d, xUsbCopy30d, xUsbCopy90d and xUsbCopyTrend. Guard checks the declaration when the pack is installed, and `guard rules validate --settings` does too.',
        pattern: '^x(?:[A-Z][a-z0-9]*)+(?:7d|30d|90d|Trend)$',
      },
    ],
  };
}

function describeFact(d: FactDefinition): string {
  return `${d.type} — ${d.description.en}${d.missingWhen ? ` (missing when ${d.missingWhen})` : ''}`;
}

function conditionDefs(subject: RiskSubjectType): Record<string, JsonSchema> {
  const p = subject;
  const ref = (name: string) => ({ $ref: `#/definitions/${p}${name}` });
  const group = (key: string, description: string): JsonSchema => ({
    type: 'object',
    description,
    additionalProperties: false,
    required: [key],
    properties: {
      [key]: key === 'not' ? ref('Condition') : { type: 'array', minItems: 1, maxItems: 100, items: ref('Condition') },
    },
  });
  return {
    [`${p}Condition`]: { oneOf: [ref('All'), ref('Any'), ref('Not'), ref('Leaf')] },
    [`${p}TopLevel`]: { oneOf: [ref('All'), ref('Any'), ref('Not')] },
    [`${p}All`]: group('all', 'True when every condition is true.'),
    [`${p}Any`]: group('any', 'True when at least one condition is true.'),
    [`${p}Not`]: group(
      'not',
      'True when the condition is false. A missing fact stays unknown: `not` never turns it true.',
    ),
    [`${p}Leaf`]: {
      type: 'object',
      description: 'fact operator value. A condition on a missing fact is never true.',
      additionalProperties: false,
      required: ['fact', 'operator', 'value'],
      properties: {
        fact: factEnum(subject),
        operator: { type: 'string', enum: [...ruleOperators] },
        value: {
          description: 'A number, boolean or string; a list for in/notIn; or {"fact": name} to compare two facts.',
          oneOf: [
            { type: ['number', 'boolean', 'string'] },
            { type: 'array', maxItems: RULE_PACK_LIMITS.listItems, items: { type: ['number', 'boolean', 'string'] } },
            {
              type: 'object',
              additionalProperties: false,
              required: ['fact'],
              properties: { fact: factEnum(subject) },
            },
          ],
        },
      },
    },
    [`${p}Rule`]: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'conditions', 'event'],
      properties: {
        name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique in the pack.' },
        description: { type: 'string', maxLength: 2000 },
        priority: { type: 'integer', minimum: 1, maximum: 100 },
        conditions: ref('TopLevel'),
        event: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'params'],
          properties: {
            type: { const: 'risk' },
            params: {
              type: 'object',
              additionalProperties: false,
              required: ['weight', 'explanation'],
              properties: {
                weight: { type: 'number', minimum: 0, maximum: 100, description: 'Points added to the 0–100 score.' },
                tags: { type: 'array', maxItems: 20, items: { type: 'string', pattern: NAME_PATTERN } },
                explanation: text('Shown with the score; {{factName}} is replaced with the fact value.'),
              },
            },
          },
        },
      },
    },
    [`${p}Modifier`]: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'when', 'multiply', 'tags'],
      properties: {
        name: { type: 'string', pattern: NAME_PATTERN },
        description: { type: 'string', maxLength: 2000 },
        when: ref('TopLevel'),
        multiply: { type: 'number', minimum: 0, maximum: 10 },
        tags: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', pattern: NAME_PATTERN } },
      },
    },
  };
}

function subjectBranch(subject: RiskSubjectType): JsonSchema {
  return {
    if: { properties: { subject: { const: subject } }, required: ['subject'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
    then: {
      properties: {
        rules: { items: { $ref: `#/definitions/${subject}Rule` } },
        modifiers: { items: { $ref: `#/definitions/${subject}Modifier` } },
      },
    },
  };
}

/**
 * The JSON Schema (draft-07) of a rule pack, built from the same fact
 * catalog and operators the validator uses, with each fact's type and
 * meaning as completion text. It checks shape; {@link parseRulePack} also
 * checks meaning (value types per fact, unique names, placeholders).
 * `guard rules schema` prints it; the package ships it as
 * `@guard/core/rule-pack.schema.json`.
 *
 * @example
 * ```ts
 * import { rulePackJsonSchema } from '@guard/core';
 * writeFileSync('rule-pack.schema.json', JSON.stringify(rulePackJsonSchema(), null, 2));
 * ```
 */
export function rulePackJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: RULE_PACK_SCHEMA_ID,
    title: 'Guard rule pack',
    description: 'Risk rules (json-rules-engine format) with pack metadata, thresholds and explanations.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'version', 'subject', 'title', 'thresholds', 'rules'],
    properties: {
      $schema: { type: 'string' },
      id: { type: 'string', pattern: NAME_PATTERN },
      version: {
        type: 'string',
        pattern: '^\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?$',
        description: 'Semantic version; bump it on every change.',
      },
      subject: { enum: ['employee', 'customer'], description: 'Who the pack scores.' },
      title: text('The pack name shown in alerts and reports.'),
      description: text('What the pack looks for.'),
      thresholds: {
        type: 'object',
        additionalProperties: false,
        required: ['alert'],
        properties: {
          alert: {
            type: 'number',
            minimum: 1,
            maximum: 100,
            description: 'A score at or above this raises one alert.',
          },
          watch: {
            type: 'number',
            minimum: 0,
            maximum: 100,
            description: 'A lower band shown as "watch"; below alert.',
          },
        },
      },
      severity: { enum: ['low', 'medium', 'high', 'critical'], description: 'Severity of the alert (default high).' },
      modifiers: { type: 'array', maxItems: 20 },
      rules: { type: 'array', minItems: 1, maxItems: RULE_PACK_LIMITS.rules },
    },
    allOf: [subjectBranch('employee'), subjectBranch('customer')],
    definitions: { ...conditionDefs('employee'), ...conditionDefs('customer') },
  };
}
