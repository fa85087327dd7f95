import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { identityOf, isAlive, parseProcStat } from './owner-process.js';

describe('owner process', () => {
  it('parses state and start time from /proc/PID/stat, even with spaces and parens in the name', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0';
    expect(parseProcStat(stat)).toEqual({ state: 'S', startTicks: '987654' });
  });

  it('sees this process alive', () => {
    expect(isAlive(identityOf(process.pid))).toBe(true);
  });

  it('sees an exited process as gone', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    expect(isAlive({ pid: Number(child.stdout.toString()), startTicks: '1' })).toBe(false);
  });

  it('does not mistake a reused pid for the owner', () => {
    expect(isAlive({ pid: process.pid, startTicks: 'not-my-start-time' })).toBe(false);
  });
});
