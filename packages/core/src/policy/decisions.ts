import type { Decision } from '../domain/decision.js';
import type { Action, DecisionReasonCode, FieldLevel, Obligation } from '../domain/vocabulary.js';

/** Field levels from least to most permissive; a level's index is its rank. */
const LEVELS: readonly FieldLevel[] = ['hide', 'mask', 'show'];

/**
 * The rank of a field level: `hide` 0 < `mask` 1 < `show` 2.
 *
 * @example
 * ```ts
 * levelRank('mask'); // 1
 * ```
 */
export function levelRank(level: FieldLevel): number {
  return LEVELS.indexOf(level);
}

/** Obligations come out grouped by type in this order, then by canonical value. */
const OBLIGATION_ORDER: Readonly<Record<Obligation['type'], number>> = {
  'confidentiality-notice': 0,
  approval: 1,
  watermark: 2,
  flag: 3,
};

/**
 * What one matching allow rule grants: its id, a level rank per field class
 * (in policy order) and its obligations.
 *
 * @example
 * ```ts
 * const grant: Grant = { id: 'hr-read', levels: Uint8Array.of(2, 1, 2), obligations: [] };
 * ```
 */
export interface Grant {
  readonly id: string;
  readonly levels: Uint8Array;
  readonly obligations: readonly Obligation[];
}

/**
 * A canonical string for an obligation (its entries sorted by key), used to
 * deduplicate and order obligations.
 *
 * @example
 * ```ts
 * obligationKey({ type: 'approval', approvalKind: 'customer-export' });
 * // '[["approvalKind","customer-export"],["type","approval"]]'
 * ```
 */
export function obligationKey(obligation: Obligation): string {
  return JSON.stringify(Object.entries(obligation).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The union of obligation lists: deduplicated by canonical value, frozen,
 * ordered by type (notice, approval, watermark, flag) and then by canonical
 * value. The result does not depend on the order of the lists or of their
 * items.
 *
 * @example
 * ```ts
 * mergeObligations([[{ type: 'watermark' }], [{ type: 'watermark' }, { type: 'confidentiality-notice' }]]);
 * // [{ type: 'confidentiality-notice' }, { type: 'watermark' }]
 * ```
 */
export function mergeObligations(lists: readonly (readonly Obligation[])[]): readonly Obligation[] {
  const byKey = new Map<string, Obligation>();
  for (const list of lists) for (const o of list) byKey.set(obligationKey(o), o);
  const sorted = [...byKey].sort(
    ([ka, a], [kb, b]) => OBLIGATION_ORDER[a.type] - OBLIGATION_ORDER[b.type] || (ka < kb ? -1 : ka > kb ? 1 : 0),
  );
  return Object.freeze(sorted.map(([, o]) => Object.freeze({ ...o })));
}

/**
 * Builds frozen decisions for one policy's field classes.
 *
 * @example
 * ```ts
 * const factory = new DecisionFactory(['public', 'contact']);
 * factory.denied('read', 'no-matching-rule', []).fields; // { public: 'hide', contact: 'hide' }
 * ```
 */
export class DecisionFactory {
  private readonly hidden: Readonly<Record<string, FieldLevel>>;
  private static readonly noObligations: readonly Obligation[] = Object.freeze([]);

  constructor(private readonly fieldClasses: readonly string[]) {
    this.hidden = this.fieldsOf(new Uint8Array(fieldClasses.length));
  }

  /** A denial: every class hidden, no obligations. */
  denied(action: Action, code: DecisionReasonCode, rules: readonly string[]): Decision {
    return freezeDecision(false, action, this.hidden, DecisionFactory.noObligations, code, rules);
  }

  /**
   * An allow combining `grants`: per class the most permissive level, the
   * union of obligations (plus `extra`), the sorted ids.
   */
  allowed(action: Action, grants: readonly Grant[], extra: readonly Obligation[] = []): Decision {
    const ranks = new Uint8Array(this.fieldClasses.length);
    for (const grant of grants) {
      for (let i = 0; i < ranks.length; i++) ranks[i] = Math.max(ranks[i] ?? 0, grant.levels[i] ?? 0);
    }
    const obligations = mergeObligations([...grants.map((g) => g.obligations), extra]);
    return freezeDecision(
      true,
      action,
      this.fieldsOf(ranks),
      obligations,
      'allowed',
      grants.map((g) => g.id),
    );
  }

  private fieldsOf(ranks: Uint8Array): Readonly<Record<string, FieldLevel>> {
    return Object.freeze(Object.fromEntries(this.fieldClasses.map((cls, i) => [cls, LEVELS[ranks[i] ?? 0] ?? 'hide'])));
  }
}

function freezeDecision(
  allow: boolean,
  action: Action,
  fields: Readonly<Record<string, FieldLevel>>,
  obligations: readonly Obligation[],
  code: DecisionReasonCode,
  rules: readonly string[],
): Decision {
  const ids = Object.freeze([...new Set(rules)].sort());
  return Object.freeze({ allow, action, fields, obligations, reason: Object.freeze({ code, rules: ids }) });
}

/**
 * A node of a {@link DecisionCache}: the path to it is a sorted list of
 * matched rule positions.
 *
 * @example
 * ```ts
 * const root: CacheNode = new DecisionCache(100).root();
 * ```
 */
export interface CacheNode {
  readonly next: (CacheNode | undefined)[];
  plain?: Decision;
  flagged?: Decision;
}

/**
 * Memoizes decisions by the set of rules that matched, so identical outcomes
 * share one frozen object and a repeated outcome allocates nothing. A trie
 * over ascending rule positions; bounded: once `limit` nodes exist, new
 * outcomes are built but not stored.
 *
 * @example
 * ```ts
 * const cache = new DecisionCache(10_000);
 * const root = cache.root();
 * const build = (path: readonly number[]) => factory.allowed('read', path.map((i) => grants[i]!));
 * const d = cache.get(root, [0, 3], 2, 'plain', build);
 * ```
 */
export class DecisionCache {
  private nodes = 0;

  constructor(private readonly limit: number) {}

  /** A new, empty trie (e.g. one per action and effect). */
  root(): CacheNode {
    return { next: [] };
  }

  /**
   * The cached decision for the first `length` positions of `path` and for
   * `variant`, made by `build(positions)` on a miss. Pass a `build` created
   * once, not a fresh closure per call.
   */
  get(
    root: CacheNode,
    path: ArrayLike<number>,
    length: number,
    variant: 'plain' | 'flagged',
    build: (positions: readonly number[]) => Decision,
  ): Decision {
    const node = this.nodeFor(root, path, length);
    const hit = node?.[variant];
    if (hit !== undefined) return hit;
    const decision = build(Array.from({ length }, (_, i) => path[i] ?? 0));
    if (node !== undefined) node[variant] = decision;
    return decision;
  }

  private nodeFor(root: CacheNode, path: ArrayLike<number>, length: number): CacheNode | undefined {
    let node = root;
    for (let i = 0; i < length; i++) {
      const position = path[i] ?? 0;
      let child = node.next[position];
      if (child === undefined) {
        if (this.nodes >= this.limit) return undefined;
        child = { next: [] };
        node.next[position] = child;
        this.nodes++;
      }
      node = child;
    }
    return node;
  }
}
