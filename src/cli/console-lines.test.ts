import { describe, expect, it } from 'vitest';
import { colourOf } from './console-colour.js';
import { byteSize } from '../byte-size.js';
import { bytesLine, endLine, gateEndLines, startLine } from './console-lines.js';

const c = colourOf(false);
const end = (o: Partial<Parameters<typeof gateEndLines>[0]>) =>
  gateEndLines(
    {
      type: 'gate_end',
      id: 'G1',
      scenario: null,
      title: 'preflight',
      status: 'PASS',
      ms: 1234,
      classification: null,
      message: null,
      ...o,
    },
    c,
  );

describe('the end line of a gate or scenario', () => {
  it("keeps today's shape: `ok   ID title (time)`", () => {
    expect(end({})).toEqual(['ok   G1 preflight (1.2 s)']);
    expect(end({ id: 'S6', scenario: 'S6', title: 'MARK', ms: 12 })).toEqual(['ok   S6 MARK (12 ms)']);
  });
  it('`FAIL ID title (time): STATUS`, then the reason on the next lines, indented', () => {
    expect(
      end({ status: 'FAIL', classification: 'artefact', message: 'HEAD is not the accepted commit\nsee git log' }),
    ).toEqual(['FAIL G1 preflight (1.2 s): FAIL', '  HEAD is not the accepted commit', '  see git log']);
    expect(end({ status: 'INCONCLUSIVE', message: null })).toEqual(['FAIL G1 preflight (1.2 s): INCONCLUSIVE']);
    expect(end({ id: 'G4', title: 'restore', status: 'NOT_RUN', message: 'G2 failed' })).toEqual([
      'FAIL G4 restore (1.2 s): NOT_RUN',
      '  G2 failed',
    ]);
  });
  it('a closing gate with nothing to do after an early failure says so instead of `ok (0 ms)`', () => {
    expect(end({ id: 'G6', title: 'trace', ms: 0, message: 'no dry-run server was started' })).toEqual([
      'skip G6 trace: nothing to do (no dry-run server was started)',
    ]);
    expect(end({ id: 'G7', title: 'teardown', ms: 0, message: 'nothing was created' })).toEqual([
      'skip G7 teardown: nothing to do (nothing was created)',
    ]);
  });
  it('a step inside a gate ends as today, and a gate starts with `...`', () => {
    expect(endLine('create network and container', true, 1500, undefined, c)).toBe(
      'ok   create network and container (1.5 s)',
    );
    expect(startLine({ type: 'gate_start', id: 'G0', scenario: null, title: 'inputs' }, c)).toBe('...  G0 inputs');
  });
  it('colours the status word only when colour is on', () => {
    const e = { type: 'gate_end', id: 'G0', scenario: null, title: 'inputs', status: 'PASS' } as const;
    expect(gateEndLines({ ...e, ms: 1, classification: null, message: null }, colourOf(true))).toEqual([
      '\x1b[32mok  \x1b[0m G0 inputs (1 ms)',
    ]);
  });
});

describe('bytes of a dump or restore', () => {
  it('shows sizes in binary units', () => {
    expect([byteSize(512), byteSize(2048), byteSize(5 * 1024 ** 2), byteSize(3 * 1024 ** 3)]).toEqual([
      '512 B',
      '2.0 KiB',
      '5.0 MiB',
      '3.00 GiB',
    ]);
  });
  it('gives a percent only when the total is known, and the rate once there is one', () => {
    expect(bytesLine('dump', { bytes: 10 * 1024 ** 2, total: null, rateBytesPerS: null })).toBe('dump 10.0 MiB');
    expect(bytesLine('restore', { bytes: 10 * 1024 ** 2, total: 40 * 1024 ** 2, rateBytesPerS: 2 * 1024 ** 2 })).toBe(
      'restore 10.0 MiB (25% of 40.0 MiB), 2.0 MiB/s',
    );
  });
});
