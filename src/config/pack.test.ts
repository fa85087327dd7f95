import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError } from './yaml-file.js';
import { UsageError } from '../errors.js';
import { assertDeltasWatched, loadPack, loadWatchedTables, parseWatchedTables } from './pack.js';

const scenario = (id: string, extra = '') =>
  `id: ${id}\ntitle: ${id}\nsteps:\n  - name: s\n    run: [node, x.js]\n    role: cutter_app\n${extra}`;

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function packDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pgr-pack-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('loadPack', () => {
  it('loads the demo pack S1..S12 in numeric order, S3-neg as number 3', async () => {
    const pack = await loadPack('scenarios');
    expect(pack.map((s) => s.scenario.id)).toEqual([
      'S1',
      'S2',
      'S3-neg',
      'S4',
      'S5',
      'S6',
      'S7',
      'S8',
      'S9',
      'S10',
      'S11',
      'S12',
    ]);
    expect(pack.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(pack[2]!.file).toBe(resolve('scenarios/S3-neg.yaml'));
    expect(pack[2]!.scenario.negative).toBe(true);
    expect(pack[3]!.scenario.deltas).toEqual({ 'ledger.mark': 12, 'ledger.sweep_log': 1 });
    // S4 opens with the migration that widens ledger.sweep_log.swept_count, allowed on that table only.
    expect(pack[3]!.scenario.steps.map((s) => [s.name, s.role])).toEqual([
      ['001-sweep-count-bigint', 'cutter_migrator'],
      ['mark', 'cutter_app'],
      ['sweep', 'cutter_app'],
    ]);
    expect(pack[3]!.scenario.sql_policy).toEqual({
      allow: [{ verbs: ['ALTER'], kinds: ['ALTER TABLE'], tables: ['ledger.sweep_log'] }],
    });
    expect(pack.filter((s) => s.scenario.sql_policy || s.scenario.forbidden_verbs).map((s) => s.scenario.id)).toEqual([
      'S4',
    ]);
  });

  it('reads *.yaml and *.yml only, not in subfolders', async () => {
    const dir = await packDir({
      'S2.yml': scenario('S2'),
      'S1.yaml': scenario('S1'),
      'README.md': '# not a scenario',
      'S9.yaml.bak': 'junk',
    });
    await mkdir(join(dir, 'more'));
    await writeFile(join(dir, 'more', 'S3.yaml'), scenario('S3'));
    expect((await loadPack(dir)).map((s) => s.scenario.id)).toEqual(['S1', 'S2']);
  });

  it('refuses an entry named like a scenario file that is a folder, naming it, instead of skipping it', async () => {
    const dir = await packDir({ 'S1.yaml': scenario('S1') });
    await mkdir(join(dir, 'S5.yaml'));
    await expect(loadPack(dir)).rejects.toThrow(
      `${join(dir, 'S5.yaml')}: this entry of the scenario folder is a folder, not a regular file`,
    );
  });

  it('refuses a dangling link named like a scenario file', async () => {
    const dir = await packDir({ 'S1.yaml': scenario('S1') });
    await symlink(join(dir, 'gone.yaml'), join(dir, 'S2.yaml'));
    await expect(loadPack(dir)).rejects.toThrow(
      `${join(dir, 'S2.yaml')}: this entry of the scenario folder cannot be read (ENOENT)`,
    );
  });

  it('refuses a file named after another scenario id than the one it holds (S2.yaml holding S7), at the line of its id', async () => {
    const dir = await packDir({ 'S1.yaml': scenario('S1'), 'S2.yaml': scenario('S7') });
    await expect(loadPack(dir)).rejects.toThrow(
      `${join(dir, 'S2.yaml')}:1: id: the file is named after the scenario id S2 but holds S7: rename it S7.yaml or set \`id: S2\``,
    );
  });

  it('allows a file name that is no scenario id (04-mark.yaml holding S4)', async () => {
    const dir = await packDir({ '04-mark.yaml': scenario('S4'), 'S1.yaml': scenario('S1') });
    expect((await loadPack(dir)).map((s) => s.scenario.id)).toEqual(['S1', 'S4']);
  });

  it('refuses a scenario file that is not UTF-8, naming the byte offset, never replacing the byte', async () => {
    const dir = await packDir({ 'S1.yaml': scenario('S1') });
    await writeFile(
      join(dir, 'S2.yaml'),
      Buffer.concat([Buffer.from('id: S2\ntitle: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    await expect(loadPack(dir)).rejects.toThrow(
      `${join(dir, 'S2.yaml')}:2: the scenario file is not valid UTF-8: byte 0xe9 at byte offset 17`,
    );
  });

  it('refuses two ids of one number, naming both files', async () => {
    const dir = await packDir({ 'S3.yaml': scenario('S3'), 'S3-neg.yaml': scenario('S3-neg', 'negative: true\n') });
    const err = await loadPack(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as Error).message).toContain(join(dir, 'S3.yaml'));
    expect((err as Error).message).toContain(join(dir, 'S3-neg.yaml'));
    expect((err as Error).message).toMatch(/one id per number/);
  });

  it('refuses the same id twice', async () => {
    const dir = await packDir({ 'a.yaml': scenario('S1'), 'b.yaml': scenario('S1') });
    await expect(loadPack(dir)).rejects.toThrow(/b\.yaml:1: id: the id S1 is also the id of .*a\.yaml: ids are unique/);
  });

  it('lists the issues of every bad file at once, with file and line', async () => {
    const dir = await packDir({
      'S1.yaml': scenario('S1', 'colour: red\n'),
      'S2.yaml': scenario('S2').replace('role: cutter_app', 'role: 1'),
    });
    const err = (await loadPack(dir).catch((e: unknown) => e)) as InputFileError;
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.issues.map((i) => `${i.file.slice(dir.length + 1)}:${i.line}: ${i.path}`)).toEqual([
      'S1.yaml:7: colour',
      'S2.yaml:6: steps[0].role',
    ]);
  });

  it('refuses a missing folder and a folder without scenario files as usage errors naming it', async () => {
    const missing = join(tmpdir(), 'pgr-no-such-pack');
    await expect(loadPack(missing)).rejects.toThrow(UsageError);
    await expect(loadPack(missing)).rejects.toThrow(`cannot read the scenario folder \`${missing}\` (ENOENT)`);
    const empty = await packDir({ 'notes.txt': 'x' });
    await expect(loadPack(empty)).rejects.toThrow(`the scenario folder \`${empty}\` holds no scenario file`);
  });
});

describe('watched tables', () => {
  it('reads the demo list of twelve ledger tables', async () => {
    const tables = await loadWatchedTables('scenarios/watched-tables.txt');
    expect(tables).toHaveLength(12);
    expect(tables[0]).toBe('ledger.account');
    expect(tables).toContain('ledger.verify_log');
  });

  it('ignores comments and blank lines, and names the line of a bad or repeated table', () => {
    expect(parseWatchedTables('# watched\n\nledger.mark  # marks\n  ledger.cut\n', 'w.txt')).toEqual([
      'ledger.mark',
      'ledger.cut',
    ]);
    expect(() => parseWatchedTables('ledger.mark\nLedger.Cut\nledger.mark\n', 'w.txt')).toThrow(
      /w\.txt:2: `Ledger\.Cut` is not a table[^\n]*\nw\.txt:3: `ledger\.mark` is listed twice \(first on line 1\)/,
    );
    expect(() => parseWatchedTables('# nothing\n', 'w.txt')).toThrow(/w\.txt: lists no table/);
  });

  it('refuses a missing file as a usage error naming it', async () => {
    await expect(loadWatchedTables('/nonexistent/watched.txt')).rejects.toThrow(
      'cannot read the watched tables file `/nonexistent/watched.txt` (ENOENT)',
    );
  });

  it('refuses a delta on a table that is not watched', async () => {
    const pack = await loadPack('scenarios');
    const watched = await loadWatchedTables('scenarios/watched-tables.txt');
    expect(() => assertDeltasWatched(pack, watched)).not.toThrow();
    expect(() => assertDeltasWatched(pack, ['ledger.cut'])).toThrow(
      /S4\.yaml: deltas\.ledger\.mark: `ledger\.mark` is not a watched table/,
    );
  });
});
