// The scenario pack: every scenario file of one folder, validated, one id per number, in the
// numeric order of their number; and the list of watched tables.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Scenario, SCENARIO_ID, TABLE_NAME, scenarioNumber } from './scenario.js';
import { kindOf, readTextInput } from './text-file.js';
import { InputFileError, loadYaml, type YamlIssue, lineOfPath } from './yaml-file.js';
import { UsageError } from '../errors.js';

export interface LoadedScenario {
  /** Absolute path of the scenario file. */
  file: string;
  /** `S3-neg` is 3: scenarios run in the order of their number. */
  number: number;
  scenario: Scenario;
}

const SCENARIO_FILE = /\.ya?ml$/i;

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

/** Load and validate every `*.yaml`/`*.yml` of `dir` (not recursive), sorted by scenario number. */
export async function loadPack(dir: string): Promise<LoadedScenario[]> {
  const loaded = await loadScenarioFiles(await scenarioFiles(dir));
  await assertOneIdPerNumber(loaded);
  return loaded.sort((a, b) => a.number - b.number);
}

/** The scenario files of `dir`, sorted by name: every entry named like one must be a regular file. */
async function scenarioFiles(dir: string): Promise<string[]> {
  const folder = resolve(dir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    throw new UsageError(`cannot read the scenario folder \`${dir}\`${codeOf(err) ? ` (${codeOf(err)})` : ''}`, {
      cause: err,
      hint: 'point `artefacts.scenarios` in the config at a folder of scenario files (S1.yaml, S2.yaml, ...)',
    });
  }
  // Every entry named like a scenario file is one: a folder, a pipe or a dangling link named
  // S5.yaml is refused, never skipped.
  const files: string[] = [];
  const entryIssues: YamlIssue[] = [];
  for (const name of names.filter((n) => SCENARIO_FILE.test(n)).sort()) {
    const file = join(folder, name);
    let why: string | null = null;
    try {
      const s = await stat(file);
      if (!s.isFile()) why = `is ${kindOf(s)}, not a regular file`;
    } catch (err) {
      why = `cannot be read${codeOf(err) ? ` (${codeOf(err)})` : ''}`;
    }
    if (why === null) files.push(file);
    else
      entryIssues.push({
        file,
        line: null,
        path: '',
        message: `this entry of the scenario folder ${why}: every *.yaml/*.yml entry is a scenario file; make it a file or move it out of the folder`,
      });
  }
  if (entryIssues.length > 0) throw new InputFileError(entryIssues);
  if (files.length === 0) {
    throw new UsageError(`the scenario folder \`${dir}\` holds no scenario file (*.yaml, *.yml)`, {
      hint: 'add at least one scenario file, such as S1.yaml',
    });
  }
  return files;
}

/** Parse and validate each file; every file is validated before any is refused, so one run lists every issue. */
async function loadScenarioFiles(files: string[]): Promise<LoadedScenario[]> {
  const issues: YamlIssue[] = [];
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    try {
      const scenario = await loadYaml(file, Scenario, 'scenario file');
      // `S2.yaml` holding `id: S7` would make a reviewer read one scenario for another.
      const stem = basename(file).replace(SCENARIO_FILE, '');
      if (SCENARIO_ID.test(stem) && stem !== scenario.id) {
        issues.push({
          file,
          line: lineOfPath(await readFile(file, 'utf8'), ['id']),
          path: 'id',
          message: `the file is named after the scenario id ${stem} but holds ${scenario.id}: rename it ${scenario.id}${SCENARIO_FILE.exec(file)![0]} or set \`id: ${stem}\` (a name that is no scenario id, such as 04-mark.yaml, is free)`,
        });
        continue;
      }
      loaded.push({ file, number: scenarioNumber(scenario.id), scenario });
    } catch (err) {
      if (err instanceof InputFileError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length > 0) throw new InputFileError(issues);
  return loaded;
}

/** One id per scenario number, and no id twice. */
async function assertOneIdPerNumber(loaded: LoadedScenario[]): Promise<void> {
  const issues: YamlIssue[] = [];
  const byNumber = new Map<number, LoadedScenario>();
  for (const entry of loaded) {
    const other = byNumber.get(entry.number);
    if (other !== undefined) {
      const same = other.scenario.id === entry.scenario.id;
      issues.push({
        file: entry.file,
        line: lineOfPath(await readFile(entry.file, 'utf8'), ['id']),
        path: 'id',
        message: same
          ? `the id ${entry.scenario.id} is also the id of ${other.file}: ids are unique`
          : `${entry.scenario.id} has the number ${entry.number} of ${other.scenario.id} in ${other.file}: one id per number`,
      });
    } else {
      byNumber.set(entry.number, entry);
    }
  }
  if (issues.length > 0) throw new InputFileError(issues);
}

/** Read the watched tables: one `schema.table` a line; `#` comments and blank lines ignored. */
export async function loadWatchedTables(file: string): Promise<string[]> {
  return parseWatchedTables(
    await readTextInput(file, 'watched tables file', 'check `artefacts.watched_tables` in the config'),
    file,
  );
}

/** Parse the watched tables file's text; every issue names the file and line. */
export function parseWatchedTables(text: string, file: string): string[] {
  const tables: string[] = [];
  const issues: YamlIssue[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const table = raw.replace(/#.*$/, '').trim();
    if (table === '') return;
    if (!TABLE_NAME.test(table)) {
      issues.push({
        file,
        line,
        path: '',
        message: `\`${table}\` is not a table as \`schema.table\` (lower-case SQL identifiers)`,
      });
    } else if (seen.has(table)) {
      issues.push({ file, line, path: '', message: `\`${table}\` is listed twice (first on line ${seen.get(table)})` });
    } else {
      seen.set(table, line);
      tables.push(table);
    }
  });
  if (issues.length === 0 && tables.length === 0)
    issues.push({ file, line: null, path: '', message: 'lists no table' });
  if (issues.length > 0) throw new InputFileError(issues);
  return tables;
}

/** Refuse a scenario whose deltas name a table that is not watched: its count would never be taken. */
export function assertDeltasWatched(pack: readonly LoadedScenario[], watched: readonly string[]): void {
  const known = new Set(watched);
  const issues: YamlIssue[] = [];
  for (const { file, scenario } of pack) {
    for (const table of Object.keys(scenario.deltas)) {
      if (!known.has(table)) {
        issues.push({
          file,
          line: null,
          path: `deltas.${table}`,
          message: `\`${table}\` is not a watched table (${watched.length} watched)`,
        });
      }
    }
  }
  if (issues.length > 0) throw new InputFileError(issues);
}
