import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finish, passDraft } from '../test-support/report-fixture.js';
import { eventsOutput } from './events-output.js';
import { versionEvent } from './run-events.js';

const SHA = 'cd'.repeat(32);
const AT = new Date('2026-12-02T04:50:00.000Z');
const report = finish(passDraft());
const parse = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the events output (--events)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgr-events-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each event as one NDJSON line with `at`, as it happens, into a folder it makes', async () => {
    const file = join(dir, 'ci', 'events.ndjson');
    const out = eventsOutput({ target: file, reportPath: 'out/report.json', now: () => AT });
    out.event(versionEvent('r1', '0.1.0'));
    out.event({ type: 'gate_start', id: 'G0', scenario: null, title: 'inputs' });
    expect(parse(await readFile(file, 'utf8'))).toEqual([
      { ...versionEvent('r1', '0.1.0'), at: AT.toISOString() },
      { type: 'gate_start', id: 'G0', scenario: null, title: 'inputs', at: AT.toISOString() },
    ]);
  });

  it('gives the lines so far for the leak scan, and those with the verdict last once the sha256 is known; write appends the verdict', async () => {
    const file = join(dir, 'events.ndjson');
    const out = eventsOutput({ target: file, reportPath: 'out/report.json', now: () => AT });
    out.event(versionEvent('r1', '0.1.0'));
    const sofar = await readFile(file, 'utf8');
    expect(out.build(report, null)).toBe(sofar);
    const final = out.build(report, SHA);
    expect(final.startsWith(sofar)).toBe(true);
    await out.write(final);
    const lines = parse(await readFile(file, 'utf8'));
    expect(lines.at(-1)).toEqual({
      type: 'verdict',
      execution_status: 'PASS',
      exit_code: 0,
      report: 'out/report.json',
      sha256: SHA,
      at: AT.toISOString(),
    });
    expect(lines).toHaveLength(2);
    // Nothing comes after the verdict.
    out.event({ type: 'alert', message: 'late' });
    expect(parse(await readFile(file, 'utf8'))).toHaveLength(2);
  });

  it('holds an event that comes before `version` until it, so that `version` is always first', () => {
    const written: string[] = [];
    const out = eventsOutput({ target: '-', reportPath: 'r.json', now: () => AT, stdout: (t) => written.push(t) });
    out.event({ type: 'alert', message: 'SIGINT received' });
    expect(written).toEqual([]);
    out.event(versionEvent('r1', '0.1.0'));
    expect(parse(written.join('')).map((l) => l.type)).toEqual(['version', 'alert']);
    expect(out.place).toBe('events (stdout)');
  });

  it('does not stop the run when it cannot write: the error comes when it is closed', async () => {
    const out = eventsOutput({ target: join(dir, 'events.ndjson'), reportPath: 'r.json', now: () => AT });
    await rm(dir, { recursive: true });
    // A file where its folder should be: neither the folder nor the file can be made.
    await writeFile(dir, 'not a folder');
    expect(() => out.event(versionEvent('r1', '0.1.0'))).not.toThrow();
    await expect(out.write(out.build(report, SHA))).rejects.toThrow(/ENOTDIR|EEXIST/);
    await rm(dir, { force: true });
  });
});
