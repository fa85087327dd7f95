// G6's analysis: the dry-run server's log (every statement with its user), pgaudit's session
// audit (sub-statements of functions, DO blocks and triggers) and each scenario's write
// counters, read together. The tool's own role is left out by user, never by application name.
import type { Report } from '../config/index.js';
import { auditVerbs, explainWrites, parseAuditLog, parseServerLog, traceStatements, writesOfAudit, writesOfStatements, type WriteCounts } from '../evidence/index.js';
import { GateFailure } from './gate-failure.js';

/** One scenario's time window, its forbidden verbs, and its write counters read after its processes exited. */
export interface ScenarioWindow {
  id: string;
  from: number;
  to: number;
  forbidden: string[];
  writes: { deltas: Record<string, WriteCounts>; settled: boolean; knownTables: string[]; rowDeltas: Record<string, number> | undefined } | null;
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
  forbidden: string[];
  sessionAudit: boolean;
  /** Redaction of the run's secrets, for statement texts kept in the report. */
  redact: (text: string) => string;
}

// Server log timestamps are milliseconds; the windows are the tool's clock around each scenario.
const SLACK_MS = 5;
const statementTime = (at: string) => Date.parse(at.replace(' UTC', 'Z').replace(' ', 'T'));

export async function analyseTrace(serverLog: string, windows: readonly ScenarioWindow[], opts: TraceOptions): Promise<TraceAnalysis> {
  const { toolRole, forbidden } = opts;
  const text = (t: string) => opts.redact(t).slice(0, 500);
  const statements = parseServerLog(serverLog);
  const trace = await traceStatements(statements, { toolRole, forbidden });
  const records = opts.sessionAudit ? parseAuditLog(serverLog) : [];
  const auditTrace = opts.sessionAudit ? await auditVerbs(records, { toolRole, forbidden }) : null;

  const perScenario: Record<string, Record<string, number>> = {};
  const found: SqlTraceSection['forbidden'] = [];
  const unexplained: SqlTraceSection['writes']['unexplained'] = [];
  let explained = 0;
  let settled = true;
  for (const w of windows) {
    const inWindow = (t: number) => t >= w.from - SLACK_MS && t <= w.to + SLACK_MS;
    const stmts = statements.filter((st) => inWindow(statementTime(st.at)));
    const recs = records.filter((r) => inWindow(Date.parse(r.at)));
    const t = await traceStatements(stmts, { toolRole, forbidden: w.forbidden });
    perScenario[w.id] = t.counts;
    for (const f of t.forbidden) found.push({ scenario: w.id, verb: f.verb, user: f.user, text: text(f.text) });
    if (auditTrace) {
      const a = await auditVerbs(recs, { toolRole, forbidden: w.forbidden });
      for (const f of a.forbidden.filter((x) => x.nested)) found.push({ scenario: w.id, verb: f.verb, user: f.user, text: `(inside a function, DO block or trigger) ${text(f.text)}` });
    }
    if (!w.writes) continue;
    settled &&= w.writes.settled;
    const writes = [...(await writesOfStatements(stmts, { excludeUser: toolRole })).writes, ...(await writesOfAudit(recs, { excludeUser: toolRole })).writes];
    const e = explainWrites(w.writes.deltas, writes, w.forbidden, { knownTables: w.writes.knownTables, rowDeltas: w.writes.rowDeltas });
    explained += e.explained.length;
    const forbiddenKeys = new Set(e.forbiddenUnexplained.map((x) => `${x.table} ${x.verb}`));
    for (const u of e.unexplained) unexplained.push({ scenario: w.id, table: u.table, verb: u.verb, rows: u.rows, forbidden: forbiddenKeys.has(`${u.table} ${u.verb}`) });
    for (const f of e.forbiddenUnexplained) found.push({ scenario: w.id, verb: f.verb, user: '(no logged statement)', text: `${f.rows} row(s) ${f.verb} on ${f.table} in the write counters that no logged or audited statement explains` });
  }
  // Statements outside every scenario window (the system never runs there; anything found is still told).
  for (const f of trace.forbidden) {
    if (!found.some((x) => x.text === text(f.text))) found.push({ scenario: null, verb: f.verb, user: f.user, text: text(f.text) });
  }
  return {
    section: {
      source: `dry-run server log (log_statement=all)${auditTrace ? ' + pgaudit session audit' : ''} + write counters (pg_stat_user_tables)`,
      statements: trace.statements,
      verbs: [...new Set([...trace.verbs, ...(auditTrace?.verbs ?? [])])].sort(),
      counts: trace.counts,
      forbidden_verbs: forbidden,
      forbidden: found,
      per_scenario: perScenario,
      unparsed: trace.unparsed,
      audit: auditTrace ? { statements: auditTrace.statements, nested: auditTrace.nested, verbs: auditTrace.verbs, functions: auditTrace.functions, forbidden_nested: auditTrace.forbidden.filter((f) => f.nested).length } : null,
      writes: { settled, explained, unexplained },
    },
    ambiguousStatements: trace.ambiguous,
    ambiguousAudit: auditTrace?.ambiguous ?? 0,
  };
}

/** G6's decision: a forged prefix or a forbidden verb is the system's failure; unsettled counters prove nothing either way. */
export function traceFailure(a: TraceAnalysis): GateFailure | null {
  if (a.ambiguousAudit > 0) return new GateFailure('sut', `${a.ambiguousAudit} audit entries carry a log prefix that reads more than one way: the trace cannot be proved`);
  if (a.ambiguousStatements > 0) {
    return new GateFailure('sut', `${a.ambiguousStatements} statements of the system under test carry a log prefix that reads more than one way (an application name or statement imitating the tool's log): the trace cannot be proved`);
  }
  const found = a.section.forbidden;
  if (found.length > 0) {
    const groups = new Map<string, number>();
    for (const f of found) {
      const k = `${f.verb} in ${f.scenario ?? 'the run'}`;
      groups.set(k, (groups.get(k) ?? 0) + 1);
    }
    return new GateFailure('sut', `the system under test ran forbidden SQL: ${[...groups].map(([k, n]) => (n > 1 ? `${k} (×${n})` : k)).join(', ')}`, { sql_rows: found.slice(0, 5) });
  }
  if (!a.section.writes.settled) return new GateFailure('environment', 'the write counters did not settle (a session of the system under test was still connected): writes cannot be proved explained');
  return null;
}
