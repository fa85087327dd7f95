import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exceptionOf } from './failure-site.js';

// Real output, captured once (fixtures/stderr/README.md says how); the SUT ran in these folders.
const fixture = (name: string) => readFile(new URL(`../../fixtures/stderr/${name}`, import.meta.url), 'utf8');
const CUTTER = '/tmp/pgr-ex';

describe('exceptionOf', () => {
  it('finds the BigInt TypeError of the defective cutter at its own frame, source-mapped', async () => {
    expect(exceptionOf(await fixture('cutter-cut-defective.stderr'), CUTTER)).toEqual({
      name: 'TypeError',
      message: 'Do not know how to serialize a BigInt',
      location: 'src/phases.ts:89:15',
    });
  });

  it('reads file:// frames of the built dist when source maps are off', async () => {
    expect(exceptionOf(await fixture('cutter-cut-defective-dist.stderr'), CUTTER)).toEqual({
      name: 'TypeError',
      message: 'Do not know how to serialize a BigInt',
      location: 'dist/phases.js:72:17',
    });
  });

  it('skips node: internals and dependencies in node_modules, even under the SUT', async () => {
    const stderr = (await fixture('cutter-cut-defective.stderr')).replaceAll(
      '/tmp/pgr-ex/src/phases.ts',
      '/tmp/pgr-ex/node_modules/lib/x.js',
    );
    // The first frame left in the SUT's own code is pg-store.ts.
    expect(exceptionOf(stderr, CUTTER)?.location).toBe('src/pg-store.ts:65:20');
    expect(exceptionOf(stderr, '/elsewhere')?.location).toBeNull();
  });

  it("takes the cutter's named errors, which have no stack", async () => {
    expect(exceptionOf(await fixture('cutter-config-mismatch.stderr'), CUTTER)).toEqual({
      name: 'ConfigMismatch',
      message: 'current_user is cutter_readonly, expected cutter_app: refusing to run',
      location: null,
    });
    expect(exceptionOf(await fixture('cutter-permission-denied.stderr'), CUTTER)).toMatchObject({
      name: 'PermissionDenied',
      message: 'permission denied for table signer',
    });
    expect(
      exceptionOf('MissingKeyError: CUTTER_SIGNING_KEY is not set: refusing to run without a signing key\n', CUTTER)
        ?.name,
    ).toBe('MissingKeyError');
  });

  it("finds a Python traceback's exception and its innermost frame in the SUT", async () => {
    expect(exceptionOf(await fixture('python-uuid-json.stderr'), '/tmp/pyex')).toEqual({
      name: 'TypeError',
      message: 'Object of type UUID is not JSON serializable',
      location: 'cutter_agent/phases.py:6',
    });
  });

  it("reads node's report of an uncaught error, past the source line it quotes", async () => {
    expect(exceptionOf(await fixture('node-uncaught-esm.stderr'), '/tmp/nodeex')).toEqual({
      name: 'RangeError',
      message: 'row has no id',
      location: 'lib/store.mjs:2:35',
    });
  });

  it('reads node error codes, and frames without a function name', () => {
    const stderr =
      'TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string\n    at new Thing (/app/src/a.ts:3:9)\n';
    expect(exceptionOf(stderr, '/app')).toEqual({
      name: 'TypeError',
      message: 'The "path" argument must be of type string',
      location: 'src/a.ts:3:9',
    });
    expect(exceptionOf('Error: x\n    at /app/b.js:1:2\n', '/app')?.location).toBe('b.js:1:2');
  });

  it('ignores eval frames and labels that name no exception', () => {
    expect(
      exceptionOf('Error: x\n    at eval (eval at <anonymous> (/app/c.js:1:1), <anonymous>:1:1)\n', '/app')?.location,
    ).toBeNull();
    expect(exceptionOf('Warning: deprecated\nHint: try again\nStateError: batch B-1 is closed\n', '/app')?.name).toBe(
      'StateError',
    );
  });

  it('returns null when stderr names no exception', () => {
    expect(exceptionOf('', '/app')).toBeNull();
    expect(exceptionOf('error: something went wrong\n', '/app')).toBeNull();
    expect(exceptionOf('(node:12) Warning: something\n', '/app')).toBeNull();
  });
});
