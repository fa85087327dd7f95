import { describe, expect, it } from 'vitest';
import { verbPolicy, type Lint } from '../config/index.js';
import { runSquawk, squawkVersion, SquawkError } from '../evidence/index.js';
import {
  lintFailure,
  lintPlanLine,
  lintSection,
  pgVersionFor,
  TRACE_EXCLUDED_RULES,
  type SquawkRunner,
} from './lint-section.js';
import type { ScenarioWindow } from './trace-gate.js';

const at = (s: string) => Date.parse(`2026-11-25T10:00:0${s}Z`);
const s1: ScenarioWindow = {
  id: 'S1',
  from: at('1'),
  to: at('5'),
  policy: verbPolicy([]),
  budgets: {},
  steps: [{ name: 'migrate', from: at('1'), to: at('2') }],
  writes: null,
};
const SECRET = 'Zq9-secret-value-41';
const config = { mode: 'report' as const, exclude: [], assume_in_transaction: true };
const realSquawk: SquawkRunner = { version: () => squawkVersion(), lint: (texts, opts) => runSquawk(texts, opts) };
const input = {
  config,
  pgVersion: '15.18',
  windows: [s1],
  secrets: [SECRET],
  trace: [
    { text: 'CREATE INDEX entry_note ON ledger.entry (note)', at: '2026-11-25T10:00:01.500Z', nested: false },
    {
      text: `ALTER ROLE app PASSWORD '${SECRET}'; DROP TABLE ledger.old`,
      at: '2026-11-25T10:00:09.000Z',
      nested: false,
    },
    { text: 'ALTER TABLE ledger.entry ADD COLUMN n int NOT NULL', at: '2026-11-25T10:00:03.000Z', nested: true },
    { text: `CREATE INDEX tagged ON t (c) WHERE tag <> '${SECRET}'`, at: '2026-11-25T10:00:04.000Z', nested: false },
  ],
  files: [
    {
      path: 'migrations/002_note.sql',
      text: "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\n\nALTER TABLE ledger.entry\n  ADD COLUMN note text NOT NULL;\n",
    },
    { path: 'migrations/003_bad.sql', text: 'CREATE INDX nope ON t (c);' },
  ],
};

describe('the lint section, with the real squawk', () => {
  it('lists each finding with its rule, its whole statement redacted, and its scenario and step or file and line', async () => {
    const lint = await lintSection(input, realSquawk);
    expect(lint.version).toMatch(/^2\.\d+\.\d+$/);
    expect(lint.error).toBeNull();
    expect(lint).toMatchObject({ statements: 4, files: ['migrations/002_note.sql', 'migrations/003_bad.sql'] });
    const index = lint.findings.find((f) => f.rule === 'require-concurrent-index-creation');
    expect(index).toMatchObject({
      source: 'trace',
      scenario: 'S1',
      step: 'migrate',
      nested: false,
      file: null,
      line: null,
      statement: 'CREATE INDEX entry_note ON ledger.entry (note)',
    });
    const drop = lint.findings.find((f) => f.rule === 'ban-drop-table');
    expect(drop).toMatchObject({ scenario: null, step: null, statement: 'DROP TABLE ledger.old' });
    expect(lint.findings.find((f) => f.rule === 'adding-required-field' && f.source === 'trace')).toMatchObject({
      scenario: 'S1',
      step: null,
      nested: true,
    });
    expect(lint.findings.find((f) => f.source === 'file' && f.rule === 'adding-required-field')).toMatchObject({
      file: 'migrations/002_note.sql',
      line: 5,
      statement: 'ALTER TABLE ledger.entry\n  ADD COLUMN note text NOT NULL;',
    });
    // The trace's statements are linted alone: the timeout rules, which need the session's SETs, are left out there.
    expect(lint.findings.filter((f) => f.source === 'trace' && TRACE_EXCLUDED_RULES.includes(f.rule))).toEqual([]);
    expect(
      lint.findings.filter((f) => f.statement.startsWith('CREATE INDEX tagged')).map((f) => f.statement),
    ).toContain("CREATE INDEX tagged ON t (c) WHERE tag <> '[REDACTED]'");
    expect(JSON.stringify(lint)).not.toContain(SECRET);
  });

  it('lists what squawk cannot parse as not linted, never as clean', async () => {
    const lint = await lintSection(input, realSquawk);
    expect(lint.unparsed).toEqual([
      expect.objectContaining({
        source: 'file',
        file: 'migrations/003_bad.sql',
        line: 1,
        statement: 'CREATE INDX nope ON t (c);',
      }),
    ]);
    expect(lint.findings.some((f) => f.file === 'migrations/003_bad.sql')).toBe(false);
  });
});

const failing = (kind: 'missing' | 'failed'): SquawkRunner => ({
  version: () => Promise.reject(new SquawkError(kind, `squawk ${kind}`)),
  lint: () => Promise.resolve([]),
});

describe('the lint section when squawk cannot run', () => {
  it('says why, with no findings, and no version', async () => {
    const lint = await lintSection(input, failing('missing'));
    expect(lint).toMatchObject({
      version: null,
      findings: [],
      unparsed: [],
      error: { kind: 'missing', message: 'squawk missing' },
    });
  });

  it("lets an error that is not squawk's through, as a bug of ours", async () => {
    const broken: SquawkRunner = {
      version: () => Promise.resolve('2.66.0'),
      lint: () => Promise.reject(new TypeError('bug')),
    };
    await expect(lintSection(input, broken)).rejects.toBeInstanceOf(TypeError);
  });
});

const section = (over: Partial<Lint>): Lint => ({
  tool: 'squawk',
  version: '2.66.0',
  mode: 'fail',
  pg_version: '15',
  excluded: { trace: [], files: [] },
  assume_in_transaction: false,
  statements: 1,
  files: null,
  findings: [],
  unparsed: [],
  error: null,
  ...over,
});
const finding = {
  rule: 'require-concurrent-index-creation',
  level: 'Warning',
  message: 'm',
  help: null,
  statement: 'CREATE INDEX i ON t (c)',
  source: 'trace',
  scenario: 'S2',
  step: 'migrate',
  nested: false,
  file: null,
  line: null,
} as const;

describe('lint: fail', () => {
  it('makes findings an artefact failure naming the rule, the place and the statement', () => {
    const f = lintFailure(
      section({
        findings: [
          finding,
          {
            ...finding,
            source: 'file',
            scenario: null,
            step: null,
            file: 'a.sql',
            line: 3,
            rule: 'ban-drop-table',
            statement: 'DROP TABLE\n  t;',
          },
        ],
      }),
    );
    expect(f?.classification).toBe('artefact');
    expect(f?.message).toBe(
      'squawk found 2 problems in the SQL under review (lint: fail): require-concurrent-index-creation in S2 step "migrate": CREATE INDEX i ON t (c); ban-drop-table in a.sql:3: DROP TABLE t',
    );
  });

  it('is inconclusive when squawk could not run: environment when missing, tool when it failed', () => {
    expect(lintFailure(section({ error: { kind: 'missing', message: 'no binary' } }))?.classification).toBe(
      'environment',
    );
    expect(lintFailure(section({ error: { kind: 'failed', message: 'panic' } }))?.classification).toBe('tool');
  });

  it('passes with no findings, and never fails in report mode or when off', () => {
    expect(lintFailure(section({}))).toBeNull();
    expect(lintFailure(section({ mode: 'report', findings: [finding] }))).toBeNull();
    expect(lintFailure(section({ mode: 'report', error: { kind: 'missing', message: 'x' } }))).toBeNull();
    expect(lintFailure(null)).toBeNull();
  });
});

describe('the PostgreSQL version squawk lints for', () => {
  it("is the dry-run server's, else the rehearsal's 15", () => {
    expect(pgVersionFor('15.18 (Debian 15.18-0+deb12u1)')).toBe('15.18');
    expect(pgVersionFor('16beta1')).toBe('16');
    expect(pgVersionFor(null)).toBe('15');
  });
});

describe("rehearse plan's lint line", () => {
  it('says what squawk will read and what its findings do', () => {
    const base = '0907f8f9f3a20e4082da348317c67b207a50ae70';
    expect(lintPlanLine({ mode: 'report', exclude: [], assume_in_transaction: false }, base)).toBe(
      'lint: squawk over the DDL the system under test runs, and the SQL files 0907f8f9f3a2..accepted adds or modifies, report (findings are listed; nothing fails on them)',
    );
    expect(lintPlanLine({ mode: 'fail', exclude: ['ban-drop-table'], assume_in_transaction: true }, undefined)).toBe(
      "lint: squawk over the DDL the system under test runs (no sut.base_commit: no files), fail (a finding fails G6 as the artefact's); rules left out: ban-drop-table; each file assumed in a transaction",
    );
    expect(lintPlanLine({ mode: 'off', exclude: [], assume_in_transaction: false }, base)).toBe(
      'lint: off (squawk does not run)',
    );
  });
});

describe("squawk's own words in the lint section", () => {
  it('are redacted with the run secrets, as its statements are', async () => {
    const quoting: SquawkRunner = {
      version: () => Promise.resolve('2.66.0'),
      lint: (texts) =>
        Promise.resolve(
          texts.map(() => [
            {
              rule: 'ban-drop-table',
              level: 'Warning',
              message: `drops ${SECRET}`,
              help: `keep ${SECRET}`,
              line: 0,
              column: 0,
            },
          ]),
        ),
    };
    const lint = await lintSection({ ...input, trace: input.trace.slice(0, 1), files: [] }, quoting);
    expect(lint.findings[0]).toMatchObject({ message: 'drops [REDACTED]', help: 'keep [REDACTED]' });
  });
});
