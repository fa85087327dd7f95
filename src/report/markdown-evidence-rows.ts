// The evidence rows of report.md's required-output table: the SQL trace, the leak scan, the
// teardown, what must be untouched (protected environments, production), git and the hardcode
// scan. Each value is read from report.json; a null section says it was not reached.
import type { Report } from '../config/index.js';
import { listCut, plural } from '../plural.js';
import { prePost, short } from './markdown-format.js';

type Production = NonNullable<Report['production']>;

/** Production after the run: unchanged, changed, or not read. */
export const productionState = (p: Production) =>
  p.unchanged === null ? 'not checked after the run' : p.unchanged ? 'unchanged' : 'CHANGED';
/** What stands for a post-run value: unreachable when the check ran and read nothing. */
export const productionMissing = (p: Production) => (p.unchanged === null ? 'not checked' : 'unreachable');

function forbiddenSqlRow(r: Report): string {
  const t = r.sql_trace;
  if (!t) return 'not traced';
  const runPolicy = JSON.stringify(t.policy.run);
  const own = Object.entries(t.policy.scenarios)
    .filter(([, p]) => JSON.stringify(p) !== runPolicy)
    .map(([id]) => id);
  return `${t.forbidden.length === 0 ? '✓' : '✗'} trace verbs {${t.verbs.join(', ')}}; forbidden {${t.forbidden_verbs.join(', ')}}${own.length ? ` (${own.join(', ')} under their own policy)` : ''}: ${t.forbidden.length} found`;
}

/** A place the leak scan found something in: how many hits, whose secrets (never the values), the password literals. */
function leakPlace(p: NonNullable<Report['leak_scan']>['places'][number]): string {
  const whose = (p.owners ?? []).map((o) => `the password of ${o}`).join(' and ');
  const secrets = p.hits - p.literals;
  const what = [
    ...(secrets > 0 ? [`${plural(secrets, 'hit')}${whose ? `: ${whose}` : ''}`] : []),
    ...(p.literals > 0 ? [plural(p.literals, "PASSWORD '...' literal")] : []),
  ];
  return `${p.place} (${what.join(', ')})`;
}

function leakRow(r: Report): string {
  const l = r.leak_scan;
  if (!l) return 'not scanned';
  const found = l.places.filter((p) => p.hits > 0).map(leakPlace);
  return `${l.hits === 0 ? '✓' : '✗'} ${plural(l.secrets, 'secret')} × ${plural(l.forms.length, 'form')}, ${plural(l.scanned, 'place')} scanned, ${plural(l.hits, 'hit')}${found.length ? `: ${found.join('; ')}` : ''}`;
}

function teardownRow(r: Report): string {
  const t = r.teardown;
  if (!t) return 'not run';
  const resources =
    t.resources
      .map((x) => `${x.kind} ${x.name} ${x.action}, ${x.gone ? 'gone' : 'NOT gone'} (${x.proof})`)
      .join('; ') || 'nothing was created';
  const shredded = t.secrets.filter((s) => s.shredded).length;
  const secrets =
    shredded === t.secrets.length
      ? `${plural(shredded, 'secret file')} shredded`
      : `${shredded} of ${plural(t.secrets.length, 'secret file')} shredded (NOT shredded: ${t.secrets
          .filter((s) => !s.shredded)
          .map((s) => s.path)
          .join(', ')})`;
  return `${t.complete ? 'complete' : 'INCOMPLETE'}: ${resources}; ${secrets}`;
}

function protectedRow(r: Report): string {
  if (!r.protected_envs) return 'not checked';
  if (!r.protected_envs.length) return 'none configured';
  const state = (e: NonNullable<Report['protected_envs']>[number]) =>
    e.unchanged
      ? `✓ running, same id, StartedAt and system identifier (${e.sysid_pre ?? 'no PostgreSQL'})`
      : e.unchanged === null
        ? 'not checked after'
        : '✗ CHANGED';
  return r.protected_envs.map((e) => `${e.name} ${state(e)}`).join('; ');
}

/**
 * Whether every statement the tool sent to production was read-only: inside a READ ONLY
 * transaction it opened, or (outside every transaction) in the dump's session, when that
 * session was proved read-only.
 */
export function allReadOnly(statements: readonly string[], dumpSessionReadOnly: boolean): boolean {
  let inReadOnly = false;
  for (const s of statements) {
    const verb = s.trim().toUpperCase();
    if (verb === 'BEGIN READ ONLY') inReadOnly = true;
    else if (verb.startsWith('BEGIN') || verb.startsWith('START TRANSACTION')) return false;
    else if (verb === 'COMMIT' || verb === 'ROLLBACK') inReadOnly = false;
    else if (!inReadOnly && !dumpSessionReadOnly) return false;
  }
  return true;
}

function productionRow(r: Report): string {
  const p = r.production;
  if (!p) return 'not reached';
  const mark = p.unchanged === null ? '' : p.unchanged ? ' ✓' : ' ✗';
  const missing = productionMissing(p);
  const container = p.container_pre
    ? `, container StartedAt ${prePost(p.container_pre.started_at, p.container_post?.started_at ?? null, p.container_post === null && p.unchanged !== null ? 'gone' : missing)}`
    : '';
  const readOnly = allReadOnly(p.statements, r.backup?.read_only_session === true)
    ? 'read-only'
    : 'NOT all inside a READ ONLY transaction';
  return `production ${productionState(p)}${mark}: sysid ${prePost(p.sysid_pre, p.sysid_post, missing)}, postmaster start ${prePost(p.start_pre, p.start_post, missing)}${container}; statements sent to production: ${p.statements.length} (${readOnly})`;
}

function gitRow(r: Report): string {
  const g = r.git;
  if (!g) return 'not checked';
  return `branch ${g.branch ?? '(detached)'}; HEAD ${g.head ?? 'unknown'}; git status ${g.clean ? 'clean' : `dirty: ${listCut(g.dirty, 3, ', ')}`}`;
}

function hardcodeRow(r: Report): string {
  if (!r.git) return 'hardcode scan: not run (git was not checked)';
  const hc = r.git.hardcode;
  if (!hc) return 'hardcode scan: not run (no sut.base_commit in the config)';
  const found =
    hc.findings.length === 0
      ? 'no finding ✓'
      : hc.findings.map((f) => `${f.file}:${f.line} ${f.pattern}`).join('; ') + ' ✗';
  return `hardcode scan of ${short(hc.base_commit)}..${short(r.accepted_commit)}: ${hc.lines_scanned} added lines, patterns {${hc.patterns.join(', ')}}: ${found}`;
}

export function evidenceRows(r: Report): (readonly [string, string])[] {
  return [
    ['no forbidden SQL', forbiddenSqlRow(r)],
    ['no secret leakage', leakRow(r)],
    ['teardown', teardownRow(r)],
    ['protected envs untouched', protectedRow(r)],
    ['production untouched', productionRow(r)],
    ['git', gitRow(r)],
    ['hardcode/scale control', hardcodeRow(r)],
  ];
}
