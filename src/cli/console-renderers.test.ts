// The run's consoles fed with the events and calls the gate runner makes (event, then start; end,
// then event), read as a user reads them.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../run/progress.js';
import type { RunEvent } from '../run/run-events.js';
import { colourOf } from './console-colour.js';
import { liveConsole } from './console-live.js';
import { LiveState, liveLines } from './console-live-state.js';
import { plainConsole, quietConsole } from './console-plain.js';
import { consoleModeOf } from './run-console.js';

const c = colourOf(false);
const gateEnd = (id: string, title: string, o: Partial<Extract<RunEvent, { type: 'gate_end' }>> = {}): RunEvent => ({
  type: 'gate_end',
  id,
  scenario: id.startsWith('S') ? id : null,
  title,
  status: 'PASS',
  ms: 5,
  classification: null,
  message: null,
  ...o,
});

/** A short run: G0 passes, G1 fails, G6 has nothing to do; as the gate runner calls the console. */
function drive(p: Progress): void {
  p.data('run id: 20261202-000000-abcdef12');
  for (const [id, title, end] of [
    ['G0', 'inputs', gateEnd('G0', 'inputs')],
    [
      'G1',
      'preflight',
      gateEnd('G1', 'preflight', {
        status: 'FAIL',
        classification: 'artefact',
        message: 'HEAD is not the accepted commit',
      }),
    ],
    ['G6', 'trace', gateEnd('G6', 'trace', { ms: 0, message: 'no dry-run server was started' })],
  ] as const) {
    p.event({ type: 'gate_start', id, scenario: null, title });
    p.start(`${id} ${title}`);
    if (id === 'G0') p.end('hash the artefacts', true, 3);
    p.end(`${id} ${title}`, end.type === 'gate_end' && end.status === 'PASS', 5, undefined);
    p.event(end);
  }
  p.note('execution_status: FAIL at G1 (artefact); exit 1', 'verdict');
  p.note('!! an alert');
  p.data('report sha256: ' + 'a'.repeat(64));
}

function collect() {
  const err: string[] = [];
  const out: string[] = [];
  return { err, out, io: { err: (t: string) => void err.push(t), out: (t: string) => void out.push(t) } };
}

describe('the plain console (off a terminal)', () => {
  it('prints a line when each gate starts and when it ends, the reason under a failure, the run id first on stdout', () => {
    const { err, out, io } = collect();
    drive(plainConsole({ ...io, colour: c, github: false }));
    expect(out.join('')).toBe(`run id: 20261202-000000-abcdef12\nreport sha256: ${'a'.repeat(64)}\n`);
    expect(err.join('').split('\n')).toEqual([
      '...  G0 inputs',
      'ok   hash the artefacts (3 ms)',
      'ok   G0 inputs (5 ms)',
      '...  G1 preflight',
      'FAIL G1 preflight (5 ms): FAIL',
      '  HEAD is not the accepted commit',
      '...  G6 trace',
      'skip G6 trace: nothing to do (no dry-run server was started)',
      'execution_status: FAIL at G1 (artefact); exit 1',
      '!! an alert',
      '',
    ]);
  });
  it("under GitHub Actions puts each gate's lines in a ::group::, its end line just after", () => {
    const { err, io } = collect();
    drive(plainConsole({ ...io, colour: c, github: true }));
    expect(err.join('').split('\n').slice(0, 8)).toEqual([
      '::group::G0 inputs',
      '...  G0 inputs',
      'ok   hash the artefacts (3 ms)',
      '::endgroup::',
      'ok   G0 inputs (5 ms)',
      '::group::G1 preflight',
      '...  G1 preflight',
      '::endgroup::',
    ]);
  });
  it('does not nest groups: G2 inside G4 is in the group of G4', () => {
    const { err, io } = collect();
    const p = plainConsole({ ...io, colour: c, github: true });
    p.event({ type: 'gate_start', id: 'G4', scenario: null, title: 'restore' });
    p.event({ type: 'gate_start', id: 'G2', scenario: null, title: 'backup' });
    p.event(gateEnd('G2', 'backup'));
    p.event(gateEnd('G4', 'restore'));
    expect(err.join('').split('\n')).toEqual([
      '::group::G4 restore',
      '...  G4 restore',
      '...  G2 backup',
      'ok   G2 backup (5 ms)',
      '::endgroup::',
      'ok   G4 restore (5 ms)',
      '',
    ]);
  });
});

describe('--quiet', () => {
  it('prints only the run id, the verdict line and the data lines (report paths, sha256)', () => {
    const { err, out, io } = collect();
    drive(quietConsole(io));
    expect(err.join('')).toBe('execution_status: FAIL at G1 (artefact); exit 1\n');
    expect(out.join('')).toBe(`run id: 20261202-000000-abcdef12\nreport sha256: ${'a'.repeat(64)}\n`);
  });
});

describe('the live lines (on a terminal)', () => {
  it('show each running gate with its time, the bytes and rate of its dump, and the current scenario step', () => {
    const s = new LiveState();
    s.apply({ type: 'gate_start', id: 'G4', scenario: null, title: 'restore' }, 0);
    s.apply({ type: 'gate_start', id: 'G2', scenario: null, title: 'backup' }, 100);
    s.apply({ type: 'progress', what: 'dump', bytes: 0, total_bytes: null }, 1000);
    s.apply({ type: 'progress', what: 'dump', bytes: 20 * 1024 ** 2, total_bytes: null }, 3000);
    expect(liveLines(s, 3000, '*', c)).toEqual([
      '*    G4 restore (3.0 s)',
      '*    G2 backup (2.9 s) · dump 20.0 MiB, 10.0 MiB/s',
    ]);
    s.apply(gateEnd('G2', 'backup'), 3100);
    s.apply({ type: 'progress', what: 'restore', bytes: 1024, total_bytes: 4096 }, 3100);
    expect(liveLines(s, 3100, '*', c)).toEqual(['*    G4 restore (3.1 s) · restore 1.0 KiB (25% of 4.0 KiB)']);
    s.apply(gateEnd('G4', 'restore'), 3200);
    s.apply({ type: 'gate_start', id: 'S6', scenario: 'S6', title: 'CUT' }, 4000);
    s.apply({ type: 'step_start', scenario: 'S6', step: 'cut', argv: ['node', 'cli.js'] }, 4000);
    expect(liveLines(s, 4500, '*', c)).toEqual(['*    S6 CUT (500 ms) · step "cut"']);
  });

  it('keep the end lines above them in the plain shape, and clear themselves at the end', () => {
    const stderr = Object.assign(new PassThrough(), {
      columns: 120,
      rows: 40,
      isTTY: true,
    }) as unknown as NodeJS.WriteStream;
    const stdout = new PassThrough();
    let text = '';
    stderr.on('data', (b: Buffer) => (text += b.toString()));
    let t = 0;
    const p = liveConsole({ stderr, stdout, colour: c, now: () => (t += 100) });
    drive(p);
    p[Symbol.dispose]();
    const screen = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(screen).toMatch(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    expect(screen).toContain('G1 preflight (');
    for (const l of [
      'ok   G0 inputs (5 ms)\n',
      'FAIL G1 preflight (5 ms): FAIL\n',
      '  HEAD is not the accepted commit\n',
      'ok   hash the artefacts (3 ms)\n',
    ])
      expect(screen).toContain(l);
    expect(screen).not.toContain('...  G0');
    expect(String(stdout.read())).toContain('run id: 20261202-000000-abcdef12\n');
  });
});

describe('consoleModeOf', () => {
  it('quiet wins; live only on a terminal that is not TERM=dumb; else plain', () => {
    expect(consoleModeOf({ quiet: true, stderrIsTTY: true, env: {} })).toBe('quiet');
    expect(consoleModeOf({ quiet: false, stderrIsTTY: true, env: {} })).toBe('live');
    expect(consoleModeOf({ quiet: false, stderrIsTTY: true, env: { TERM: 'dumb' } })).toBe('plain');
    expect(consoleModeOf({ quiet: false, stderrIsTTY: false, env: {} })).toBe('plain');
  });
});
