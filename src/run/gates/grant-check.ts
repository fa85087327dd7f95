// What G4 checks on every dry-run server, whichever way production was copied: the roles and grants
// SQL run as the pack's artefacts, the privileges in force against the grant matrix, and pgaudit's
// session audit of the system's roles turned on.
import { messageOf } from '../../errors.js';
import { redact } from '../../evidence/index.js';
import {
  diffGrantMatrix,
  enableSessionAudit,
  readGrantsInForce,
  type GrantDifference,
  type PgTarget,
} from '../../pg/index.js';
import type { GrantMatrixFile } from '../../config/index.js';
import { GateFailure } from '../gate-failure.js';
import { listCut, plural } from '../../plural.js';
import type { RunContext } from '../run-context.js';

/** The privileges in force on the dry-run server that differ from the grant matrix. */
export async function grantDifferences(ctx: RunContext, tool: PgTarget): Promise<GrantDifference[]> {
  const inForce = await readGrantsInForce(tool, ctx.inputs.roles, schemasOf(ctx.inputs.matrix));
  return diffGrantMatrix(ctx.inputs.matrix, inForce);
}

/** A grant matrix difference is the artefacts' failure, each difference listed. */
export function throwOnDifferences(differences: readonly GrantDifference[]): void {
  if (differences.length === 0) return;
  const listed = differences.map(
    (d) =>
      `${d.role} ${d.privilege} on ${d.object}: expected ${d.expected ? 'granted' : 'not granted'}, is ${d.actual ? 'granted' : 'not granted'}`,
  );
  throw new GateFailure(
    'artefact',
    `the privileges in force differ from the grant matrix in ${plural(differences.length, 'place')}: ${listCut(listed, 10)}`,
    { sql_rows: differences.slice(0, 5), sql_rows_total: differences.length },
  );
}

/** The system's roles are audited from their next session on; they cannot turn it off (superuser-only settings). */
export async function sessionAudit(ctx: RunContext, tool: PgTarget): Promise<string[] | null> {
  return ctx.plan.sessionAudit ? (await enableSessionAudit(tool, ctx.inputs.roles)).roles : null;
}

/** The roles or grants SQL failing on the dry-run server is the pack's mistake. */
export async function sqlArtefact<T>(ctx: RunContext, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new GateFailure(
      'artefact',
      `the ${what} SQL failed on the dry-run server: ${redact(messageOf(err), ctx.secrets)}`,
    );
  }
}

function schemasOf(matrix: GrantMatrixFile): string[] {
  return [
    ...new Set(Object.values(matrix).flatMap((objects) => Object.keys(objects).map((o) => o.split('.')[0]!))),
  ].sort();
}
