export type {
  AccessContext,
  AccessResource,
  AccessSubject,
  CompiledPolicy,
  CompilePolicyOptions,
} from './access.js';
export { compilePolicy } from './compile.js';
export { defaultPolicy } from './default-policy.js';
export { applyFieldLevels, type MaskedFields, type MaskKind, maskKindFor, maskValue } from './masks.js';
export {
  conditionsSchema,
  definePolicy,
  type NumericComparison,
  numericComparisonSchema,
  type Policy,
  type PolicyConditions,
  type PolicyInput,
  type PolicyRule,
  policySchema,
  ruleSchema,
  type Scope,
  scopeSchema,
} from './policy-schema.js';
