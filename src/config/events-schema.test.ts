import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/image.js';
import { EVENTS_SCHEMA_VERSION, eventsJsonSchema } from './events-schema.js';

type Branch = { properties: { type: { const: string } }; additionalProperties: boolean; required: string[] };
const shipped = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', 'events.schema.json'), 'utf8')) as {
  oneOf: Branch[];
};
const validate = new Ajv2020({ allErrors: true }).compile(shipped);
const AT = '2026-12-02T04:21:36.123Z';

describe('the shipped events schema (schema/events.schema.json)', () => {
  it('is generated from the zod schema (run `npm run schema` after a change)', () => {
    expect(shipped).toEqual(eventsJsonSchema());
  });

  it('is a oneOf over the event types, each with its `type` const, `at` required and no other field', () => {
    expect(shipped.oneOf.map((b) => b.properties.type.const)).toEqual([
      'version',
      'gate_start',
      'gate_end',
      'step_start',
      'step_end',
      'progress',
      'retry',
      'alert',
      'teardown',
      'verdict',
    ]);
    for (const b of shipped.oneOf) {
      expect(b.additionalProperties).toBe(false);
      expect(b.required).toEqual(expect.arrayContaining(['type', 'at']));
    }
  });

  it('accepts the lines a run writes and rejects an unknown field, a missing `at` and a wrong schema version', () => {
    const version = {
      type: 'version',
      schema_version: EVENTS_SCHEMA_VERSION,
      tool: 'pg-rehearse',
      tool_version: '0.1.0',
      run_id: 'r',
      at: AT,
    };
    const progress = { type: 'progress', what: 'restore', bytes: 10, total_bytes: null, at: AT };
    const verdict = {
      type: 'verdict',
      execution_status: 'FAIL',
      exit_code: 1,
      report: '/tmp/out/report.json',
      sha256: 'a'.repeat(64),
      at: AT,
    };
    for (const line of [version, progress, verdict]) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...progress, rate: 1 })).toBe(false);
    const { at: _, ...noAt } = progress;
    expect(validate(noAt)).toBe(false);
    expect(validate({ ...version, schema_version: '0.9' })).toBe(false);
    expect(validate({ ...verdict, execution_status: 'NOT_RUN' })).toBe(false);
  });
});
