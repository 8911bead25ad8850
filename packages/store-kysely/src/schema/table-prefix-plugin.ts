import {
  IdentifierNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type SchemableIdentifierNode,
  type UnknownRow,
} from 'kysely';
import { GUARD_TABLES } from './database.js';

class TablePrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;
  readonly #tables: ReadonlySet<string>;

  constructor(prefix: string, tables: ReadonlySet<string>) {
    super();
    this.#prefix = prefix;
    this.#tables = tables;
  }

  protected override transformSchemableIdentifier(
    node: SchemableIdentifierNode,
    queryId?: QueryId,
  ): SchemableIdentifierNode {
    const transformed = super.transformSchemableIdentifier(node, queryId);
    const name = transformed.identifier.name;
    if (!this.#tables.has(name)) return transformed;
    return { ...transformed, identifier: IdentifierNode.create(`${this.#prefix}${name}`) };
  }
}

/**
 * Rewrites Guard's logical table names (`customers`, `audit_entries`, …) to
 * their prefixed names (`guard_customers`, …), in table positions and in
 * table-qualified column references alike. Queries never alias a table with
 * one of those names, so nothing else is renamed.
 */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #transformer: TablePrefixTransformer;

  constructor(prefix: string) {
    this.#transformer = new TablePrefixTransformer(prefix, new Set(GUARD_TABLES));
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
