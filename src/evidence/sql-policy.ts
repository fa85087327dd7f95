// The SQL policy applied to what the classifier read of a statement: which of its classes are
// forbidden, on what, and by which rule. A `forbid` rule that matches forbids; otherwise a class
// in `forbidden_verbs` is forbidden unless an `allow` rule matches. A statement is checked object
// by object, so `DROP TABLE sqitch.a, public.b` under "allow everything in schema sqitch" is
// forbidden for public.b. An unqualified name whose schema is unknown is never in an allow
// rule's scope, and is in a forbid rule's scope whenever it could be: when in doubt, forbid.
import type { PolicyRule, SqlPolicy } from '../config/index.js';
import { objectName, type StatementAction, type StatementObject } from './statement-classifier.js';

/** Gives an unqualified name its schema where it can be known; returns the object unchanged otherwise. */
export type ResolveName = (o: StatementObject) => StatementObject;

const asIs: ResolveName = (o) => o;

/**
 * Resolves an unqualified relation name when exactly one of `knownTables` (`schema.table`, every
 * user table of the database) has that name: the search_path it ran under is not in the log.
 */
export function resolverOf(knownTables: readonly string[]): ResolveName {
  const byName = new Map<string, Set<string>>();
  for (const t of knownTables) {
    const dot = t.indexOf('.');
    if (dot < 0) continue;
    const name = t.slice(dot + 1);
    byName.set(name, (byName.get(name) ?? new Set()).add(t.slice(0, dot)));
  }
  return (o) => {
    if (o.schema !== null || o.name === null || !o.relation) return o;
    const schemas = byName.get(o.name);
    return schemas?.size === 1 ? { ...o, schema: [...schemas][0]! } : o;
  };
}

/** A class of a statement the policy forbids. */
export interface PolicyBreach {
  verb: string;
  /** The kind of the (first) statement part that carries it. */
  kind: string;
  /** The objects it was forbidden on (`schema.table`, `name` when unqualified, `schema`); empty when it names none. */
  objects: string[];
  /** `forbidden_verbs`, or `sql_policy.forbid[N]`. */
  rule: string;
}

function inScope(rule: PolicyRule, o: StatementObject | null, mode: 'allow' | 'forbid'): boolean {
  if (rule.schemas === undefined && rule.tables === undefined) return true;
  if (o === null) return false;
  if (o.schema === null) {
    if (mode === 'allow') return false;
    return (
      rule.schemas !== undefined ||
      (o.relation && (rule.tables ?? []).some((t) => t.slice(t.indexOf('.') + 1) === o.name))
    );
  }
  if (rule.schemas?.includes(o.schema)) return true;
  return o.relation && o.name !== null && (rule.tables ?? []).includes(`${o.schema}.${o.name}`);
}

function matches(
  rule: PolicyRule,
  verb: string,
  kind: string,
  o: StatementObject | null,
  mode: 'allow' | 'forbid',
): boolean {
  return (
    (rule.verbs === undefined || rule.verbs.includes(verb)) &&
    (rule.kinds === undefined || rule.kinds.includes(kind)) &&
    inScope(rule, o, mode)
  );
}

/** Why one class of a statement, on one object (or none), is forbidden; null when it is allowed. */
export function forbiddingRule(
  policy: SqlPolicy,
  verb: string,
  kind: string,
  o: StatementObject | null,
): string | null {
  const v = verb.toUpperCase();
  const f = policy.forbid.findIndex((r) => matches(r, v, kind, o, 'forbid'));
  if (f >= 0) return `sql_policy.forbid[${f}]`;
  if (!policy.forbidden_verbs.some((x) => x.toUpperCase() === v)) return null;
  return policy.allow.some((r) => matches(r, v, kind, o, 'allow')) ? null : 'forbidden_verbs';
}

/** The classes of a statement's actions that the policy forbids, one per class, in the order they first occur. */
export function policyBreaches(
  actions: readonly StatementAction[],
  policy: SqlPolicy,
  resolve: ResolveName = asIs,
): PolicyBreach[] {
  const byVerb = new Map<string, PolicyBreach>();
  for (const a of actions) {
    const objects = a.objects.length > 0 ? a.objects.map(resolve) : [null];
    for (const o of objects) {
      const rule = forbiddingRule(policy, a.verb, a.kind, o);
      if (rule === null) continue;
      const known = byVerb.get(a.verb);
      if (!known) byVerb.set(a.verb, { verb: a.verb, kind: a.kind, objects: o ? [objectName(o)] : [], rule });
      else if (o && !known.objects.includes(objectName(o))) known.objects.push(objectName(o));
    }
  }
  return [...byVerb.values()];
}
