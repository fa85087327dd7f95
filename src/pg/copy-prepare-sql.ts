// The SQL of a physical copy's single-user step (engine/physical-prepare.ts), run before the copy
// ever listens on TCP: the tool's own superuser with this run's password (production's superuser
// may have any name, and the copy has no role of the tool's), every other login role's password
// (production's hashes) removed, and every subscription disabled and detached from its slot, so
// that neither a worker nor a later DROP SUBSCRIPTION can reach its publisher. The roles of the
// rehearsal get their per-run passwords at G4, as in a logical copy. `postgres --single -j` ends a
// statement at a semicolon followed by an empty line.
import { scramVerifier } from './restore.js';
import { quoteIdent, quoteLiteral } from './target.js';

export function copyPrepareSql(toolRole: string, toolPassword: string): string {
  const role = quoteIdent(toolRole);
  const verifier = quoteLiteral(scramVerifier(toolPassword));
  const name = quoteLiteral(toolRole);
  return [
    `DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_authid WHERE rolname = ${name}) THEN
    ALTER ROLE ${role} SUPERUSER LOGIN PASSWORD ${verifier} VALID UNTIL 'infinity';
  ELSE
    CREATE ROLE ${role} SUPERUSER LOGIN PASSWORD ${verifier};
  END IF;
END $$`,
    `DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL AND rolname <> ${name} LOOP
    EXECUTE format('ALTER ROLE %I PASSWORD NULL', r.rolname);
  END LOOP;
END $$`,
    'UPDATE pg_subscription SET subenabled = false, subslotname = NULL',
  ]
    .map((s) => `${s};\n\n`)
    .join('');
}
