// `rehearse run`'s console as users see it, from the built bin: in a pseudo-terminal (script(1))
// the live line with its spinner, then the end lines in their plain shape; in a pipe a line at each
// gate's start and end; `--quiet`; and under GitHub Actions the groups, the step summary and an
// `::error` annotation at pins.yaml. A pin mismatch stops the run at G0, so G6-G8 have nothing to
// do and nothing is created: no engine work, no names to clash with another run.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../engine/index.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');
// The terminal's escape sequences.
const ANSI = new RegExp(String.raw`\x1b\[[0-9;?]*[A-Za-z]`);

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgr-run-console-'));
  const pack = join(dir, 'pack');
  await cp(join(PACKAGE_ROOT, 'scenarios'), pack, { recursive: true });
  const dsn = join(dir, 'production.dsn');
  await writeFile(dsn, 'postgres://postgres:console-test@127.0.0.1:9/ledger\n', { mode: 0o600 });
  const at = (...p: string[]) => join(PACKAGE_ROOT, ...p);
  config = join(dir, 'rehearse.yaml');
  await writeFile(
    config,
    stringify({
      name: 'run console test',
      production: { dsn_file: dsn, dump_format: 'plain' },
      environment: { name: 'pgr-run-console-never-created' },
      artefacts: {
        roles: at('sql', 'roles.sql'),
        grants: at('sql', 'grants.sql'),
        grant_matrix: at('sql', 'grant-matrix.yaml'),
        scenarios: pack,
        watched_tables: at('scenarios', 'watched-tables.txt'),
      },
      sut: { path: dir, accepted_commit: 'a'.repeat(40), dsn_env: 'CUTTER_DSN', runner: 'host' },
    }),
  );
  await promisify(execFile)(process.execPath, [BIN, 'pin', '--config', config]);
  const s5 = join(pack, 'S5.yaml');
  await writeFile(s5, (await readFile(s5, 'utf8')).replace('title: REVIEW', 'title: REVIEW (edited after pinning)'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function run(
  args: string[],
  o: { tty: boolean; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [BIN, 'run', '--config', config, ...args];
  const [cmd, cmdArgs] = o.tty
    ? ['script', ['-qfec', [process.execPath, ...argv].map(quote).join(' '), '/dev/null']]
    : [process.execPath, argv];
  const env = { ...process.env, NO_COLOR: '1', ...o.env } as Record<string, string | undefined>;
  if (!o.env?.GITHUB_ACTIONS) delete env.GITHUB_ACTIONS;
  delete env.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const p = spawn(cmd as string, cmdArgs as string[], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The screen a terminal shows at the end, from what was written to it: lines, erases and cursor moves up (private modes such as synchronized output, `ESC[?2026h`, change nothing on it). */
function screenOf(raw: string): string[] {
  const rows: string[] = [''];
  let y = 0;
  for (const m of raw.matchAll(/\x1b\[\??(\d*)([A-Za-z])|\r?\n|\r|[^\x1b\r\n]+/g)) {
    const [t, n, op] = m;
    if (t === '\n' || t === '\r\n') rows[++y] ??= '';
    else if (op === 'A') y = Math.max(0, y - Number(n || 1));
    else if (op === 'K') rows[y] = '';
    else if (op === undefined && t !== '\r') rows[y] += t;
  }
  return rows.filter((l) => l.trim() !== '');
}

describe('rehearse run on the console (built bin)', () => {
  it('in a pseudo-terminal: a live line with a spinner while a gate runs, then the end lines in their plain shape, the reason under the failure', async () => {
    const r = await run(['--out', join(dir, 'tty')], { tty: true });
    expect(r.code, r.stdout).toBe(1);
    // script(1) gives the terminal's whole output on its stdout.
    expect(r.stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] {4}G0 inputs \(/);
    const screen = screenOf(r.stdout);
    expect(screen[0]).toMatch(/^run id: \d{8}-\d{6}-[0-9a-f]{8}$/);
    expect(
      screen.find((l) => l.startsWith('FAIL G0')),
      r.stdout,
    ).toMatch(/^FAIL G0 inputs \(\d+(\.\d)? m?s\): FAIL$/);
    const at = screen.findIndex((l) => l.startsWith('FAIL G0'));
    expect(screen[at + 1]).toMatch(/^ {2}.*pack\/S5\.yaml/);
    expect(screen).toContain('skip G6 trace: nothing to do (no dry-run server was started)');
    expect(screen).toContain('skip G7 teardown: nothing to do (nothing was created)');
    expect(screen).toContain('skip G8 post-checks: nothing to do (production was not reached)');
    expect(screen).toContain('execution_status: FAIL at G0 (artefact); exit 1');
    expect(screen.at(-1)).toMatch(/^report sha256: [0-9a-f]{64}$/);
    // The live lines were cleared as each gate ended: no spinner stays on the screen.
    expect(screen.filter((l) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l))).toEqual([]);
    expect(r.stdout).not.toMatch(/\.\.\. {2}G0/);
  });

  it('in a pipe: a line when each gate starts and one when it ends, run id first on stdout, no colour', async () => {
    const r = await run(['--out', join(dir, 'pipe')], { tty: false });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^run id: /);
    const lines = r.stderr.split('\n');
    const i = lines.indexOf('...  G0 inputs');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines.slice(i + 1).find((l) => l.startsWith('FAIL G0'))).toMatch(/^FAIL G0 inputs \(.+\): FAIL$/);
    expect(lines).toContain('...  G6 trace');
    expect(r.stderr).not.toMatch(ANSI);
    expect(r.stderr).not.toMatch(/^::/m);
  });

  it('--quiet prints only the run id, the verdict line, the report paths and its sha256', async () => {
    const out = join(dir, 'quiet');
    const r = await run(['--out', out, '--quiet'], { tty: false });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('execution_status: FAIL at G0 (artefact); exit 1\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^run id: /);
    expect(lines.slice(1, 3)).toEqual([`report: ${join(out, 'report.json')}`, `report: ${join(out, 'report.md')}`]);
    expect(lines[3]).toMatch(/^report sha256: [0-9a-f]{64}$/);
  });

  it("under GitHub Actions: each gate in a ::group::, the step summary appended, an ::error at pins.yaml's line, relative to the workspace", async () => {
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '');
    const out = join(dir, 'gh');
    const r = await run(['--out', out], {
      tty: false,
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^::group::G0 inputs\n\.\.\. {2}G0 inputs\n(.*\n)*::endgroup::\nFAIL G0 inputs/m);
    const sha = /^report sha256: ([0-9a-f]{64})$/m.exec(r.stdout)![1]!;
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('**Verdict: FAIL** at G0');
    expect(md).toContain(`Full report: \`gh/report.json\` (report.md beside it), sha256 \`${sha}\`.`);
    expect(r.stderr).toMatch(
      /^::error file=pins\.yaml,line=\d+,title=G0%3A pin mismatch::pack\/S5\.yaml \(scenario\) has sha256 /m,
    );
  });

  it('goes on when the reader of stdout closes the pipe (--events - | head -1): the run still ends with its report', async () => {
    const out = join(dir, 'epipe');
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, 'run', '--config', config, '--out', out, '--events', '-'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      p.stdout.once('data', () => p.stdout.destroy());
      p.on('error', reject);
      p.on('close', resolve);
    });
    expect(code).toBe(1);
    expect(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')).failure.gate).toBe('G0');
  });
});
