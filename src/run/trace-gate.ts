// G6's analysis: the dry-run server's log (every statement with its user), pgaudit's session
// audit (sub-statements of functions, DO blocks and triggers) and each scenario's write
// counters, read together. The tool's own role is left out by user, never by application name.
import type { StepLocks } from './gates/step-locks.js';
import { plural } from '../plural.js';
import type { LocksConfig, Report, SqlPolicy } from '../config/index.js';
import {
  auditVerbs,
  explainWrites,
  forbiddingRule,
  parseAuditLog,
  parseServerLog,
  resolverOf,
  traceStatements,
  writesOfAudit,
  writesOfStatements,
  type AuditRecord,
  type LoggedStatement,
  type ParentLink,
  type WriteCounts,
} from '../evidence/index.js';
import { GateFailure } from './gate-failure.js';

/** One step's time window: the statements it sent are those logged in it. */
export interface StepWindow {
  name: string;
  from: number;
  to: number;
  /** What it locked, rewrote and left invalid (gates/step-locks.ts); absent when it was not watched. */
  locks?: StepLocks;
}

/** One scenario's time window, its steps' windows, its SQL policy, and its write counters read after its processes exited. */
export interface ScenarioWindow {
  id: string;
  from: number;
  to: number;
  /** The policy in force for its statements: the scenario's own, each key it gives replacing the run's. */
  policy: SqlPolicy;
  /** The lock budgets in force for its steps: the scenario's own, each key it gives replacing the run's. */
  budgets: LocksConfig;
  steps: StepWindow[];
  writes: {
    deltas: Record<string, WriteCounts>;
    settled: boolean;
    knownTables: string[];
    rowDeltas: Record<string, number> | undefined;
    /** Partitions and inheritance children -> their parent, as the counters' last read found them. */
    parents?: Record<string, ParentLink> | undefined;
  } | null;
  /** Why its write counters could not be read, when they could not (null: read, or not attempted after a signal). */
  writesUnread?: string | null;
}

export type SqlTraceSection = NonNullable<Report['sql_trace']>;

export interface TraceAnalysis {
  section: SqlTraceSection;
  /** Statements or audit entries whose log prefix reads more than one way. */
  ambiguousStatements: number;
  ambiguousAudit: number;
}

export interface TraceOptions {
  toolRole: string;
  /** The run's policy: it applies to statements outside every scenario window. */
  policy: SqlPolicy;
  sessionAudit: boolean;
  /** Redaction of the run's secrets, for statement texts kept in the report. */
  redact: (text: string) => string;
}

// Server log timestamps are milliseconds; the windows are the tool's clock around each scenario.
const SLACK_MS = 5;
const statementTime = (at: string) => Date.parse(at.replace(' UTC', 'Z').replace(' ', 'T'));
const within = (t: number, w: { from: number; to: number }) => t >= w.from - SLACK_MS && t <= w.to + SLACK_MS;

/** The step of a window a statement logged at `at` came from, or null (between steps). */
function stepAt(w: ScenarioWindow, at: string): string | null {
  const t = statementTime(at);
  return w.steps.find((s) => within(t, s))?.name ?? null;
}

/** The scenario and step a statement logged at `at` came from (null, null: outside every scenario). */
export function placeOf(
  windows: readonly ScenarioWindow[],
  at: string,
): { scenario: string | null; step: string | null } {
  const w = windows.find((x) => within(statementTime(at), x));
  return { scenario: w?.id ?? null, step: w ? stepAt(w, at) : null };
}

const policySection = (p: SqlPolicy) => ({
  forbidden_verbs: [...p.forbidden_verbs],
  allow: [...p.allow],
  forbid: [...p.forbid],
});

type Group = { statements: LoggedStatement[]; records: AuditRecord[] };

/** What G6 gathers over the groups of statements, scenario by scenario. */
interface Gathered {
  perScenario: Record<string, Record<string, number>>;
  found: SqlTraceSection['forbidden'];
  rewrites: SqlTraceSection['rewrites'];
  unexplained: SqlTraceSection['writes']['unexplained'];
  forbiddenNested: number;
  explained: number;
  settled: boolean;
}

export async function analyseTrace(
  serverLog: string,
  windows: readonly ScenarioWindow[],
  opts: TraceOptions,
): Promise<TraceAnalysis> {
  const { toolRole, policy } = opts;
  const statements = parseServerLog(serverLog);
  const records = opts.sessionAudit ? parseAuditLog(serverLog) : [];
  // Totals over the whole log; what is forbidden is decided below, by the policy of each statement's window.
  const trace = await traceStatements(statements, { toolRole, policy });
  const auditTrace = opts.sessionAudit ? await auditVerbs(records, { toolRole, policy }) : null;
  const everyKnown = [...new Set(windows.flatMap((w) => w.writes?.knownTables ?? []))];
  const acc: Gathered = {
    perScenario: {},
    found: [],
    rewrites: [],
    unexplained: [],
    forbiddenNested: 0,
    explained: 0,
    settled: true,
  };
  for (const [w, g] of groupByWindow(statements, records, windows)) {
    const resolve = resolverOf(w?.writes?.knownTables ?? everyKnown);
    await traceGroup(acc, w, g, { ...opts, resolve, audit: auditTrace !== null });
    if (w?.writes) await explainGroupWrites(acc, w, w.writes, g, toolRole);
  }
  return {
    section: {
      source: `dry-run server log (log_statement=all)${auditTrace ? ' + pgaudit session audit' : ''} + write counters (pg_stat_user_tables)`,
      statements: trace.statements,
      verbs: [...new Set([...trace.verbs, ...(auditTrace?.verbs ?? [])])].sort(),
      counts: trace.counts,
      forbidden_verbs: [...policy.forbidden_verbs],
      policy: {
        run: policySection(policy),
        scenarios: Object.fromEntries(windows.map((w) => [w.id, policySection(w.policy)])),
      },
      forbidden: acc.found,
      per_scenario: acc.perScenario,
      unparsed: trace.unparsed,
      rewrites: acc.rewrites,
      audit: auditTrace
        ? {
            statements: auditTrace.statements,
            nested: auditTrace.nested,
            verbs: auditTrace.verbs,
            functions: auditTrace.functions,
            forbidden_nested: acc.forbiddenNested,
          }
        : null,
      writes: { settled: acc.settled, explained: acc.explained, unexplained: acc.unexplained },
    },
    ambiguousStatements: trace.ambiguous,
    ambiguousAudit: auditTrace?.ambiguous ?? 0,
  };
}

/** Every statement and audit entry belongs to the first window it falls in, or to none (the run's policy). */
function groupByWindow(
  statements: readonly LoggedStatement[],
  records: readonly AuditRecord[],
  windows: readonly ScenarioWindow[],
): Map<ScenarioWindow | null, Group> {
  const windowOf = (t: number) => windows.find((w) => within(t, w)) ?? null;
  const groups = new Map<ScenarioWindow | null, Group>();
  const groupOf = (w: ScenarioWindow | null) => {
    let g = groups.get(w);
    if (!g) groups.set(w, (g = { statements: [], records: [] }));
    return g;
  };
  for (const w of windows) groupOf(w);
  for (const st of statements) groupOf(windowOf(statementTime(st.at))).statements.push(st);
  for (const r of records) groupOf(windowOf(Date.parse(r.at))).records.push(r);
  return groups;
}

/** One window's statements (and nested audit entries) against the policy in force there. */
async function traceGroup(
  acc: Gathered,
  w: ScenarioWindow | null,
  g: Group,
  opts: TraceOptions & { resolve: ReturnType<typeof resolverOf>; audit: boolean },
): Promise<void> {
  const { toolRole, resolve } = opts;
  const text = (t: string) => opts.redact(t).slice(0, 500);
  const scenario = w?.id ?? null;
  const step = (at: string) => (w ? stepAt(w, at) : null);
  const inForce = w?.policy ?? opts.policy;
  const t = await traceStatements(g.statements, { toolRole, policy: inForce, resolve });
  if (w) acc.perScenario[w.id] = t.counts;
  for (const f of t.forbidden) acc.found.push({ ...findingOf(f, scenario, step(f.at)), text: text(f.text) });
  for (const r of t.rewrites)
    acc.rewrites.push({ scenario, step: step(r.at), user: r.user, tables: r.tables, text: text(r.text) });
  if (!opts.audit) return;
  const a = await auditVerbs(g.records, { toolRole, policy: inForce, resolve });
  for (const f of a.forbidden.filter((x) => x.nested)) {
    acc.forbiddenNested += 1;
    acc.found.push({
      ...findingOf(f, scenario, step(f.at)),
      text: `(inside a function, DO block or trigger) ${text(f.text)}`,
    });
  }
}

type Finding = SqlTraceSection['forbidden'][number];
function findingOf(
  f: Pick<Finding, 'verb' | 'kind' | 'objects' | 'rule' | 'user'>,
  scenario: string | null,
  step: string | null,
): Omit<Finding, 'text'> {
  return { scenario, step, verb: f.verb, kind: f.kind, objects: f.objects, rule: f.rule, user: f.user };
}

/** The window's write counters, explained by its logged and audited statements; a forbidden write no statement explains is a finding. */
async function explainGroupWrites(
  acc: Gathered,
  w: ScenarioWindow,
  counted: NonNullable<ScenarioWindow['writes']>,
  g: Group,
  toolRole: string,
): Promise<void> {
  acc.settled &&= counted.settled;
  const writes = [
    ...(await writesOfStatements(g.statements, { excludeUser: toolRole })).writes,
    ...(await writesOfAudit(g.records, { excludeUser: toolRole })).writes,
  ];
  const ruleFor = (verb: string, table: string) => {
    const dot = table.indexOf('.');
    return forbiddingRule(w.policy, verb, verb, {
      schema: table.slice(0, dot),
      name: table.slice(dot + 1),
      relation: true,
    });
  };
  const e = explainWrites(counted.deltas, writes, (verb, table) => ruleFor(verb, table) !== null, {
    knownTables: counted.knownTables,
    rowDeltas: counted.rowDeltas,
    parents: counted.parents,
  });
  acc.explained += e.explained.length;
  const forbiddenKeys = new Set(e.forbiddenUnexplained.map((x) => `${x.table} ${x.verb}`));
  for (const u of e.unexplained)
    acc.unexplained.push({
      scenario: w.id,
      table: u.table,
      verb: u.verb,
      rows: u.rows,
      forbidden: forbiddenKeys.has(`${u.table} ${u.verb}`),
    });
  for (const f of e.forbiddenUnexplained)
    acc.found.push({
      scenario: w.id,
      step: null,
      verb: f.verb,
      kind: f.verb,
      objects: [f.table],
      rule: ruleFor(f.verb, f.table) ?? 'forbidden_verbs',
      user: '(no logged statement)',
      text: `${plural(f.rows, 'row')} ${f.verb} on ${f.table} in the write counters that no logged or audited statement explains`,
    });
}

/** G6's decision: a forged prefix or a forbidden verb is the system's failure; unsettled counters prove nothing either way. */
export function traceFailure(a: TraceAnalysis): GateFailure | null {
  if (a.ambiguousAudit > 0)
    return new GateFailure(
      'sut',
      `${plural(a.ambiguousAudit, 'audit entry', 'audit entries')} ${a.ambiguousAudit === 1 ? 'carries' : 'carry'} a log prefix that reads more than one way: the trace cannot be proved`,
    );
  if (a.ambiguousStatements > 0) {
    return new GateFailure(
      'sut',
      `${plural(a.ambiguousStatements, 'statement')} of the system under test ${a.ambiguousStatements === 1 ? 'carries' : 'carry'} a log prefix that reads more than one way (an application name or statement imitating the tool's log): the trace cannot be proved`,
    );
  }
  const found = a.section.forbidden;
  if (found.length > 0) {
    const groups = new Map<string, number>();
    for (const f of found) {
      const where = f.scenario === null ? 'the run' : f.step === null ? f.scenario : `${f.scenario} step "${f.step}"`;
      const k = `${f.verb} in ${where}`;
      groups.set(k, (groups.get(k) ?? 0) + 1);
    }
    return new GateFailure(
      'sut',
      `the system under test ran forbidden SQL: ${[...groups].map(([k, n]) => (n > 1 ? `${k} (×${n})` : k)).join(', ')}`,
      { sql_rows: found.slice(0, 5) },
    );
  }
  if (!a.section.writes.settled)
    return new GateFailure(
      'environment',
      'the write counters did not settle (a session of the system under test was still connected): writes cannot be proved explained',
    );
  return null;
}

/** A scenario whose write counters could not be read leaves its writes unproved: G6 cannot pass (environment). */
export function unreadWritesFailure(windows: readonly ScenarioWindow[]): GateFailure | null {
  const unread = windows.filter((w) => w.writesUnread);
  if (unread.length === 0) return null;
  return new GateFailure(
    'environment',
    `the writes of ${unread.map((w) => w.id).join(', ')} cannot be proved explained: ${unread.map((w) => w.writesUnread).join('; ')}`,
  );
}
