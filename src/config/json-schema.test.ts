import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/image.js';
import { configJsonSchema } from './rehearsal-config.js';
import { Report, reportJsonSchema } from './report-schema.js';

const shipped = (name: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', name), 'utf8')) as unknown;

describe('the shipped JSON Schemas', () => {
  it('are generated from the zod schemas (run `npm run schema` after a change)', () => {
    expect(shipped('report.schema.json')).toEqual(reportJsonSchema());
    expect(shipped('config.schema.json')).toEqual(configJsonSchema());
  });

  it('require every contract field of report.json', () => {
    const schema = shipped('report.schema.json') as {
      oneOf?: { required: string[] }[];
      anyOf?: { required: string[] }[];
    };
    const variants = schema.oneOf ?? schema.anyOf ?? [];
    expect(variants.length).toBe(2);
    for (const v of variants) {
      for (const field of [
        'schema_version',
        'execution_status',
        'run_id',
        'failure',
        'scenarios',
        'production',
        'env',
        'backup',
        'artefacts',
        'table_matrix',
        'sql_trace',
        'leak_scan',
        'locks',
        'lint',
        'protected_envs',
        'git',
        'teardown',
        'gates',
        'retries',
        'provenance',
      ]) {
        expect(v.required).toContain(field);
      }
    }
  });

  it('rejects a report missing sql_trace, and a PASS report with a null section', () => {
    const pass = Report.options[0];
    const shape = Object.keys(pass.shape);
    expect(shape).toContain('sql_trace');
    const minimalNonPass = {
      schema_version: 1,
      name: 'x',
      run_id: 'r',
      exit_code: 1,
      started_at: 't',
      ended_at: 't',
      ms: 0,
      accepted_commit: 'a',
      config: { path: 'p', sha256: 's' },
      alerts: [],
      warnings: [],
      gates: [],
      scenarios: [],
      artefacts: [],
      retries: [],
      provenance: {
        tool_version: '0',
        build_sha: null,
        image_id: null,
        pg_dump_version: null,
        pg_dump_where: null,
        squawk_version: null,
        dry_run_server_version: null,
        production_server_version: null,
        started_at: 't',
        ended_at: 't',
      },
      sut_runner: {
        mode: 'host',
        path: 'p',
        dsn_env: 'X',
        install: 'none',
        installed_on_host: false,
        image: null,
        image_id: null,
        install_command: null,
        install_exit_code: null,
        network: null,
        mounts: [],
      },
      progress: null,
      lint: null,
      production: null,
      env: null,
      backup: null,
      table_matrix: null,
      sql_trace: null,
      leak_scan: null,
      locks: null,
      protected_envs: null,
      git: null,
      teardown: null,
      execution_status: 'FAIL',
      failure: {
        gate: 'G0',
        scenario: null,
        classification: 'artefact',
        message: 'm',
        command: null,
        exit_code: null,
        stderr_tail: null,
        sql_rows: null,
        exception: null,
        stack: null,
      },
    };
    expect(Report.safeParse(minimalNonPass).success).toBe(true);
    const { sql_trace: _, ...missing } = minimalNonPass;
    expect(Report.safeParse(missing).success).toBe(false);
    expect(Report.safeParse({ ...minimalNonPass, execution_status: 'PASS', failure: null }).success).toBe(false);
  });
});
