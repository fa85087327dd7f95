// G6's analysis: the dry-run server's log (every statement with its user), pgaudit's session
// audit (sub-statements of functions, DO blocks and triggers) and each scenario's write
// counters, read together. The tool's own role is left out by user, never by application name.
import type { Report, SqlPolicy } from '../config/index.js';
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
}

/** One scenario's time window, its steps' windows, its SQL policy, and its write counters read after its processes exited. */
export interface ScenarioWindow {
  id: string;
  from: number;
  to: number;
  /** The policy in force for its statements: the scenario's own, each key it gives replacing the run's. */
  policy: SqlPolicy;
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

const policySection = (p: SqlPolicy) => ({
  forbidden_verbs: [...p.forbidden_verbs],
  allow: [...p.allow],
  forbid: [...p.forbid],
});

export async function analyseTrace(
  serverLog: string,
  windows: readonly ScenarioWindow[],
  opts: TraceOptions,
): Promise<TraceAnalysis> {
  const { toolRole, policy } = opts;
  const text = (t: string) => opts.redact(t).slice(0, 500);
  const statements = parseServerLog(serverLog);
  const records = opts.sessionAudit ? parseAuditLog(serverLog) : [];
  // Totals over the whole log; what is forbidden is decided below, by the policy of each statement's window.
  const trace = await traceStatements(statements, { toolRole, policy });
  const auditTrace = opts.sessionAudit ? await auditVerbs(records, { toolRole, policy }) : null;

  // Every statement and audit entry belongs to the first window it falls in, or to none (the run's policy).
  const windowOf = (t: number) => windows.find((w) => within(t, w)) ?? null;
  const groups = new Map<ScenarioWindow | null, { statements: LoggedStatement[]; records: AuditRecord[] }>();
  const groupOf = (w: ScenarioWindow | null) => {
    let g = groups.get(w);
    if (!g) groups.set(w, (g = { statements: [], records: [] }));
    return g;
  };
  for (const w of windows) groupOf(w);
  for (const st of statements) groupOf(windowOf(statementTime(st.at))).statements.push(st);
  for (const r of records) groupOf(windowOf(Date.parse(r.at))).records.push(r);
  const everyKnown = [...new Set(windows.flatMap((w) => w.writes?.knownTables ?? []))];

  const perScenario: Record<string, Record<string, number>> = {};
  const found: SqlTraceSection['forbidden'] = [];
  const rewrites: SqlTraceSection['rewrites'] = [];
  const unexplained: SqlTraceSection['writes']['unexplained'] = [];
  let forbiddenNested = 0;
  let explained = 0;
  let settled = true;
  for (const [w, g] of groups) {
    const scenario = w?.id ?? null;
    const step = (at: string) => (w ? stepAt(w, at) : null);
    const inForce = w?.policy ?? policy;
    const resolve = resolverOf(w?.writes?.knownTables ?? everyKnown);
    const t = await traceStatements(g.statements, { toolRole, policy: inForce, resolve });
    if (w) perScenario[w.id] = t.counts;
    for (const f of t.forbidden)
      found.push({
        scenario,
        step: step(f.at),
        verb: f.verb,
        kind: f.kind,
        objects: f.objects,
        rule: f.rule,
        user: f.user,
        text: text(f.text),
      });
    for (const r of t.rewrites)
      rewrites.push({ scenario, step: step(r.at), user: r.user, tables: r.tables, text: text(r.text) });
    if (auditTrace) {
      const a = await auditVerbs(g.records, { toolRole, policy: inForce, resolve });
      for (const f of a.forbidden.filter((x) => x.nested)) {
        forbiddenNested += 1;
        found.push({
          scenario,
          step: step(f.at),
          verb: f.verb,
          kind: f.kind,
          objects: f.objects,
          rule: f.rule,
          user: f.user,
          text: `(inside a function, DO block or trigger) ${text(f.text)}`,
        });
      }
    }
    if (!w?.writes) continue;
    settled &&= w.writes.settled;
    const writes = [
      ...(await writesOfStatements(g.statements, { excludeUser: toolRole })).writes,
      ...(await writesOfAudit(g.records, { excludeUser: toolRole })).writes,
    ];
    const ruleFor = (verb: string, table: string) => {
      const dot = table.indexOf('.');
      return forbiddingRule(inForce, verb, verb, {
        schema: table.slice(0, dot),
        name: table.slice(dot + 1),
        relation: true,
      });
    };
    const e = explainWrites(w.writes.deltas, writes, (verb, table) => ruleFor(verb, table) !== null, {
      knownTables: w.writes.knownTables,
      rowDeltas: w.writes.rowDeltas,
      parents: w.writes.parents,
    });
    explained += e.explained.length;
    const forbiddenKeys = new Set(e.forbiddenUnexplained.map((x) => `${x.table} ${x.verb}`));
    for (const u of e.unexplained)
      unexplained.push({
        scenario: w.id,
        table: u.table,
        verb: u.verb,
        rows: u.rows,
        forbidden: forbiddenKeys.has(`${u.table} ${u.verb}`),
      });
    for (const f of e.forbiddenUnexplained) {
      found.push({
        scenario: w.id,
        step: null,
        verb: f.verb,
        kind: f.verb,
        objects: [f.table],
        rule: ruleFor(f.verb, f.table) ?? 'forbidden_verbs',
        user: '(no logged statement)',
        text: `${f.rows} row(s) ${f.verb} on ${f.table} in the write counters that no logged or audited statement explains`,
      });
    }
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
      forbidden: found,
      per_scenario: perScenario,
      unparsed: trace.unparsed,
      rewrites,
      audit: auditTrace
        ? {
            statements: auditTrace.statements,
            nested: auditTrace.nested,
            verbs: auditTrace.verbs,
            functions: auditTrace.functions,
            forbidden_nested: forbiddenNested,
          }
        : null,
      writes: { settled, explained, unexplained },
    },
    ambiguousStatements: trace.ambiguous,
    ambiguousAudit: auditTrace?.ambiguous ?? 0,
  };
}

/** G6's decision: a forged prefix or a forbidden verb is the system's failure; unsettled counters prove nothing either way. */
export function traceFailure(a: TraceAnalysis): GateFailure | null {
  if (a.ambiguousAudit > 0)
    return new GateFailure(
      'sut',
      `${a.ambiguousAudit} audit entries carry a log prefix that reads more than one way: the trace cannot be proved`,
    );
  if (a.ambiguousStatements > 0) {
    return new GateFailure(
      'sut',
      `${a.ambiguousStatements} statements of the system under test carry a log prefix that reads more than one way (an application name or statement imitating the tool's log): the trace cannot be proved`,
    );
  }
  const found = a.section.forbidden;
  if (found.length > 0) {
    const groups = new Map<string, number>();
    for (const f of found) {
      const k = `${f.verb} in ${f.scenario ?? 'the run'}`;
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
