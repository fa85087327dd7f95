// The one walker of the parse trees libpg-query gives (SQL and PL/pgSQL alike): JSON in which a
// node is an object keyed by its type (`{ "RangeVar": {...} }`) and a field holds a node, a list
// of nodes or a scalar. The statement classifier, the table list and the DO-body reader each
// visit it for what they need.

/** A parse-tree object: a node keyed by its type, or a node's fields. */
export type Tree = Record<string, unknown>;

export const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Visits every property of every object in a parse tree, depth first, in key order, a property
 * before what its value holds: `visit(key, value, context)` returns the context that value's
 * contents are visited with (a MERGE's target for its WHEN clauses).
 */
export function walkNodesWith<C>(
  tree: unknown,
  context: C,
  visit: (key: string, value: unknown, context: C) => C,
): void {
  const walk = (value: unknown, within: C): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, within);
      return;
    }
    if (!isTree(value)) return;
    for (const [key, child] of Object.entries(value)) walk(child, visit(key, child, within));
  };
  walk(tree, context);
}

/** Visits every property of every object in a parse tree, depth first, in key order, a property before its contents. */
export function walkNodes(tree: unknown, visit: (key: string, value: unknown) => void): void {
  walkNodesWith(tree, undefined, (key, value) => {
    visit(key, value);
    return undefined;
  });
}
