// The inputs of a rehearsal, read and validated before anything else happens: the config, the
// scenario pack, the watched tables, the grant matrix, the pins and production's DSN. A problem
// here is a usage error (exit 2): nothing is created and no report is written.
import { readFile } from 'node:fs/promises';
import {
  InputFileError,
  lineOfPath,
  loadConfig,
  loadGrantMatrix,
  loadPins,
  loadSqlArtefact,
  parseDsn,
  resolveProductionDsn,
  type YamlIssue,
} from '../config/index.js';
import type { ArtefactFile } from '../evidence/index.js';
import { assertDeltasWatched, loadPack, loadWatchedTables } from '../config/index.js';

/** Inputs: every file read and validated before anything else happens; a problem here is a usage error. */
export async function loadInputs(
  configFile: string,
  opts: { resolveProduction: boolean } = { resolveProduction: true },
) {
  const loaded = await loadConfig(configFile);
  const { paths, config } = loaded;
  const pack = await loadPack(paths.scenarios);
  const watched = await loadWatchedTables(paths.watchedTables);
  assertDeltasWatched(pack, watched);
  const matrix = await loadGrantMatrix(paths.grantMatrix);
  // The roles and grants SQL run on the dry-run server: UTF-8, and no password literal in them.
  if (paths.roles) await loadSqlArtefact(paths.roles, 'roles SQL', 'roles');
  await loadSqlArtefact(paths.grants, 'grants SQL', 'grants');
  const pins = await loadPins(paths.pins);
  const roles = config.roles ?? Object.keys(matrix).sort();
  const issues: YamlIssue[] = [];
  for (const s of pack) {
    const bad = s.scenario.steps.map((st, i) => ({ st, i })).filter(({ st }) => !roles.includes(st.role));
    if (bad.length === 0) continue;
    const text = await readFile(s.file, 'utf8');
    for (const { st, i } of bad) {
      issues.push({
        file: s.file,
        line: lineOfPath(text, ['steps', i, 'role']),
        path: `steps[${i}].role`,
        message: `step "${st.name}" uses role ${st.role}, which the rehearsal gives no password: add it to the grant matrix or to \`roles\` in the config (roles: ${roles.join(', ')})`,
      });
    }
  }
  if (issues.length > 0) throw new InputFileError(issues);
  const production = opts.resolveProduction ? parseDsn(await resolveProductionDsn(loaded), 'production DSN') : null;
  return { loaded, pack, watched, matrix, pins, roles, production };
}

export type Inputs = Awaited<ReturnType<typeof loadInputs>>;

export function artefactFiles(inputs: Inputs): ArtefactFile[] {
  const p = inputs.loaded.paths;
  return [
    { kind: 'config', path: p.config },
    ...(p.roles ? [{ kind: 'roles' as const, path: p.roles }] : []),
    { kind: 'grants', path: p.grants },
    { kind: 'grant_matrix', path: p.grantMatrix },
    { kind: 'watched_tables', path: p.watchedTables },
    ...inputs.pack.map((s) => ({ kind: 'scenario' as const, path: s.file })),
  ];
}
