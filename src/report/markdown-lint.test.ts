import { describe, expect, it } from 'vitest';
import type { Lint } from '../config/index.js';
import { finish, passDraft } from '../test-support/report-fixture.js';
import { renderMarkdown } from './markdown.js';

const lint = (over: Partial<Lint>): Lint => ({
  tool: 'squawk',
  version: '2.66.0',
  mode: 'report',
  pg_version: '15.18',
  excluded: { trace: ['require-lock-timeout', 'require-statement-timeout'], files: [] },
  assume_in_transaction: false,
  statements: 3,
  files: ['migrations/003_note.sql'],
  findings: [
    {
      rule: 'require-concurrent-index-creation',
      level: 'Warning',
      message: 'During normal index creation, table updates are blocked, but reads are still allowed.',
      help: 'Use `concurrently` to avoid blocking writes.',
      statement: 'CREATE INDEX entry_note ON ledger.entry (note)',
      source: 'trace',
      scenario: 'S2',
      step: 'migrate',
      nested: true,
      file: null,
      line: null,
    },
    {
      rule: 'adding-required-field',
      level: 'Warning',
      message:
        'Adding a new column that is `NOT NULL` and has no default value to an existing table effectively makes it required.',
      help: null,
      statement: 'ALTER TABLE ledger.entry\n  ADD COLUMN note text NOT NULL;',
      source: 'file',
      scenario: null,
      step: null,
      nested: false,
      file: 'migrations/003_note.sql',
      line: 4,
    },
  ],
  unparsed: [
    {
      statement: 'CREATE INDX nope ON t (c);',
      source: 'file',
      scenario: null,
      step: null,
      nested: false,
      file: 'migrations/004_bad.sql',
      line: 1,
      message: 'expected command, found IDENT',
    },
  ],
  error: null,
  ...over,
});
const md = (l: Lint | null) => {
  const d = passDraft();
  d.lint = l;
  d.provenance.squawk_version = l?.version ?? null;
  return renderMarkdown(finish(d));
};
const section = (text: string) =>
  text.slice(text.indexOf('Lint (squawk)'), text.indexOf('## ', text.indexOf('Lint (squawk)')));

describe("report.md's lint section", () => {
  it('lists each finding with its rule, where it was and its statement, and what squawk could not parse', () => {
    const s = section(md(lint({})));
    expect(s).toContain(
      "squawk 2.66.0 for PostgreSQL 15.18, `lint: report`, over 3 DDL statements the system under test ran (each linted alone) and 1 SQL file the change adds or modifies; rules left out of the trace's lint: require-lock-timeout, require-statement-timeout.",
    );
    expect(s).toContain(
      '| `require-concurrent-index-creation` | S2 step "migrate" (inside a function or DO block) | `CREATE INDEX entry_note ON ledger.entry (note)` |',
    );
    expect(s).toContain(
      '| `adding-required-field` | migrations/003_note.sql:4 | `ALTER TABLE ledger.entry   ADD COLUMN note text NOT NULL;` |',
    );
    expect(s).toContain(
      'squawk could not parse 1 statement, so did not lint it:\n- migrations/004_bad.sql:1: `CREATE INDX nope ON t (c);` (expected command, found IDENT)',
    );
  });

  it('says there was no finding, names squawk in the provenance, and has no section when the lint did not run', () => {
    const clean = md(lint({ findings: [], unparsed: [], files: null }));
    expect(section(clean)).toContain('no files (no `sut.base_commit` in the config)');
    expect(section(clean)).toContain('No finding.');
    expect(clean).toMatch(/dry-run PostgreSQL [^·]+ · squawk 2\.66\.0 · config/);
    const off = md(null);
    expect(off).not.toContain('Lint (squawk)');
    expect(off).not.toContain('squawk');
  });

  it('says nothing was linted when squawk could not run', () => {
    const s = section(
      md(
        lint({
          version: null,
          findings: [],
          unparsed: [],
          error: { kind: 'missing', message: "squawk's binary is not installed" },
        }),
      ),
    );
    expect(s).toContain(
      "squawk could not run (missing): squawk's binary is not installed. Nothing was linted: this is no clean lint.",
    );
    expect(s).not.toContain('No finding');
  });
});
