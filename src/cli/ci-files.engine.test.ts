// `rehearse run --junit FILE --events -` as a pipeline drives it: the built bin on a throwaway
// world of its own, a pack whose S1 fails (so S2 is NOT_RUN). Every event on stdout validates
// against schema/events.schema.json, version first and the verdict last with report.json's real
// sha256; each gate that ran starts and ends; the JUnit validates against schema/junit.xsd with
// the failure at S1 and the cases after it skipped. stdout holds the events alone. A run sent
// SIGINT at G5 writes both too: an error in JUnit, the signal's alerts and the verdict in the events.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
// The named export: under NodeNext the default import types as the module namespace, not the class.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_SCHEMA_VERSION, Report, type EventLine } from '../config/index.js';
import { PACKAGE_ROOT } from '../engine/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled } from '../test-support/docker.js';
import { validateJunit } from '../test-support/junit-schema.js';
import { packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');
const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

/** Run the built bin to its end; `onLine` sees each stdout line as it comes, with the process (to signal it). */
function rehearse(
  args: string[],
  onLine?: (line: string, proc: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      pending += c.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l) onLine?.(l, proc);
    });
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const validateEvent = new Ajv2020({ allErrors: true }).compile(
  JSON.parse(await readFile(join(PACKAGE_ROOT, 'schema', 'events.schema.json'), 'utf8')) as object,
);

describe('rehearse run --junit and --events (built CLI, real containers)', () => {
  const demo = useDemoWorld('pgr-cif');
  let c: RehearsalCase;
  let junitFile: string;
  let run: { code: number | null; stdout: string; stderr: string };
  let report: Report;
  let reportText: string;

  beforeAll(async () => {
    // S1 expects exit 1 from a command that exits 0: FAIL at S1 (sut), S2 NOT_RUN.
    const { dir, pack } = await packOf(demo.work, { 'S1.yaml': ['exit_code: 0', 'exit_code: 1'], 'S2.yaml': null });
    c = await prepareCase(demo.world, demo.names, await mkdtemp(join(dir, 'run-')), { scenarios: pack });
    junitFile = join(dir, 'ci', 'junit.xml');
    run = await rehearse(['run', '--config', c.config, '--out', c.out, '--junit', junitFile, '--events', '-']);
    const m = /^run id: (\S+)$/m.exec(run.stderr);
    if (m) demo.runIds.push(m[1]!);
    if (run.code !== 1)
      throw new Error(`exit ${run.code}:
${run.stderr}
${run.stdout.slice(0, 2000)}`);
    reportText = await readFile(join(c.out, 'report.json'), 'utf8');
    report = Report.parse(JSON.parse(reportText));
  });

  it('ends FAIL at S1 with exit 1, the run id and report lines on stderr, and nothing left', async () => {
    expect(run.code, run.stderr).toBe(1);
    expect(report.failure).toMatchObject({ scenario: 'S1', classification: 'sut' });
    expect(run.stderr).toMatch(/^run id: \S+$/m);
    expect(run.stderr).toContain(
      `report sha256: ${(await readFile(join(c.out, 'report.json.sha256'), 'utf8')).slice(0, 64)}`,
    );
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
  });

  it('writes stdout as NDJSON alone, every event valid against schema/events.schema.json, version first, the verdict last with the real sha256', async () => {
    const lines = run.stdout.trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as EventLine);
    for (const e of events)
      expect(validateEvent(e), `${JSON.stringify(e)}: ${JSON.stringify(validateEvent.errors)}`).toBe(true);
    expect(events[0]).toMatchObject({ type: 'version', schema_version: EVENTS_SCHEMA_VERSION, run_id: report.run_id });
    const sha = (await readFile(join(c.out, 'report.json.sha256'), 'utf8')).slice(0, 64);
    expect(events.at(-1)).toEqual({
      type: 'verdict',
      execution_status: 'FAIL',
      exit_code: 1,
      report: join(c.out, 'report.json'),
      sha256: sha,
      at: expect.any(String),
    });
    expect(events.filter((e) => e.type === 'verdict')).toHaveLength(1);
    const ats = events.map((e) => Date.parse(e.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));

    // Each gate and scenario that ran starts and ends, once; the ones that did not run neither.
    const ran = [...report.gates, ...report.scenarios].filter((x) => x.status !== 'NOT_RUN').map((x) => x.id);
    const started = events.flatMap((e) => (e.type === 'gate_start' ? [e.id] : []));
    const ended = events.flatMap((e) => (e.type === 'gate_end' ? [e.id] : []));
    expect([...started].sort()).toEqual([...ran].sort());
    expect([...ended].sort()).toEqual([...ran].sort());
    expect(events.find((e) => e.type === 'gate_end' && e.id === 'S1')).toMatchObject({
      status: 'FAIL',
      classification: 'sut',
    });
    expect(events.some((e) => e.type === 'step_end' && e.scenario === 'S1' && e.exit_code === 0)).toBe(true);
    // The dump tells its bytes as it goes, and its size once it has ended (a logical dump's is not known before).
    const dump = events.flatMap((e) => (e.type === 'progress' && e.what === 'dump' ? [e] : []));
    expect(dump.length).toBeGreaterThan(0);
    expect(dump.at(-1)).toMatchObject({ bytes: report.backup!.bytes, total_bytes: report.backup!.bytes });
    expect(dump.slice(0, -1).every((e) => e.total_bytes === null)).toBe(true);
    const torn = events.filter((e) => e.type === 'teardown');
    expect(torn.map((e) => e.type === 'teardown' && e.name)).toEqual(report.teardown!.resources.map((r) => r.name));
    expect(torn.every((e) => e.type === 'teardown' && e.removed)).toBe(true);
  });

  it('writes JUnit valid against schema/junit.xsd: the failure at S1 with its command, S2 skipped, the run in its properties', async () => {
    const xml = await readFile(junitFile, 'utf8');
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(
      /<testcase classname="pg-rehearse.scenario" name="S1 CONFIG load \(no connect\)"[^>]*>\s*<failure /,
    );
    expect(xml).toContain('command: node --enable-source-maps dist/cli.js config');
    expect(xml).toMatch(/name="S2 missing signing key fails closed"[^>]*>\s*<skipped\/>/);
    expect(xml).toContain('NOT_RUN: stopped_by S1');
    expect(xml).toMatch(/failures="1" errors="0" skipped="1"/);
    const sha = (await readFile(join(c.out, 'report.json.sha256'), 'utf8')).slice(0, 64);
    expect(xml).toContain(`<property name="report_sha256" value="${sha}"/>`);
    expect(xml).toContain(`<property name="run_id" value="${report.run_id}"/>`);
    // Everything this run wrote for the pipeline was leak-scanned with report.json.
    const places = report.leak_scan!.places.map((p) => p.place);
    expect(places).toEqual(expect.arrayContaining([`JUnit ${junitFile}`, 'events (stdout)']));
    expect(report.leak_scan!.hits).toBe(0);
  });

  it('an interrupted run writes them too: SIGINT at G5 is INCONCLUSIVE, an error in JUnit, an alert then the verdict in the events', async () => {
    const { dir, pack } = await packOf(demo.work, { 'S1.yaml': null });
    const k = await prepareCase(demo.world, demo.names, await mkdtemp(join(dir, 'int-')), { scenarios: pack });
    const junit = join(dir, 'junit.xml');
    let signalled = false;
    const r = await rehearse(
      ['run', '--config', k.config, '--out', k.out, '--junit', junit, '--events', '-'],
      (line, proc) => {
        const e = JSON.parse(line) as EventLine;
        if (!signalled && e.type === 'gate_start' && e.id === 'G5') signalled = proc.kill('SIGINT');
      },
    );
    const m = /^run id: (\S+)$/m.exec(r.stderr);
    if (m) demo.runIds.push(m[1]!);
    expect(r.code, r.stderr).toBe(3);
    const rep = Report.parse(JSON.parse(await readFile(join(k.out, 'report.json'), 'utf8')));
    expect(rep.execution_status).toBe('INCONCLUSIVE');
    const at = rep.failure!.scenario ?? rep.failure!.gate;

    const events = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as EventLine);
    for (const e of events) expect(validateEvent(e), JSON.stringify(validateEvent.errors)).toBe(true);
    expect(events[0]!.type).toBe('version');
    expect(events.at(-1)).toMatchObject({ type: 'verdict', execution_status: 'INCONCLUSIVE', exit_code: 3 });
    const alerts = events.flatMap((e) => (e.type === 'alert' ? [e.message] : []));
    expect(alerts[0]).toMatch(/^SIGINT received: stopping at the current step/);
    expect(alerts.some((a) => a.startsWith('INTERRUPTED by SIGINT'))).toBe(true);

    const xml = await readFile(junit, 'utf8');
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(new RegExp(`name="${at} [^"]*"[^>]*>\\s*<error [^>]*type="environment"`));
    expect(xml).not.toContain('<failure');
    expect(xml).toContain('<property name="execution_status" value="INCONCLUSIVE"/>');
    expect(await countLabelled(rep.run_id)).toEqual(NOTHING);
  });

  it('refuses --junit or --events without its argument as a usage error (exit 2), writing nothing', async () => {
    for (const flag of ['--junit', '--events']) {
      const out = join(demo.work, `usage${flag}`);
      const r = await rehearse(['run', '--config', join(demo.work, 'none.yaml'), '--out', out, flag]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`Not enough arguments following: ${flag.slice(2)}`);
      expect(r.stdout).toBe('');
      await expect(readFile(join(out, 'report.json'))).rejects.toThrow(/ENOENT/);
    }
  });
});
