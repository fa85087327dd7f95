// What the recipe tests read from a report: each scenario's status, G6's forbidden statements, the
// deltas after a scenario and the DDL classes the trace counted in it.
import type { Report } from '../config/index.js';

const DDL = ['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'GRANT', 'REVOKE'];

export interface RecipeChecks {
  statuses: Record<string, string>;
  forbidden: NonNullable<Report['sql_trace']>['forbidden'];
  deltasAfter(scenario: string): Record<string, number> | undefined;
  /** The DDL classes (CREATE, ALTER, DROP, ...) the trace counted in the scenario, with their counts. */
  ddl(scenario: string): Record<string, number>;
  /** The strongest mode the scenario took on each relation (report.json's `locks`, strongest first). */
  strongestLocks(scenario: string): Record<string, string>;
}

export function recipeChecks(r: Report): RecipeChecks {
  const trace = r.sql_trace;
  return {
    statuses: Object.fromEntries(r.scenarios.map((s) => [s.id, s.status])),
    forbidden: trace?.forbidden ?? [],
    deltasAfter: (s) => r.table_matrix?.checkpoints.find((k) => k.after === s)?.deltas,
    strongestLocks: (s) => {
      const out: Record<string, string> = {};
      for (const l of r.locks?.scenarios.find((x) => x.id === s)?.relations ?? []) out[l.relation] ??= l.mode;
      return out;
    },
    ddl: (s) => Object.fromEntries(Object.entries(trace?.per_scenario[s] ?? {}).filter(([v]) => DDL.includes(v))),
  };
}
