import { describe, expect, it } from 'vitest';
import { IDENTIFY_SYSTEM_COMMAND, REPLICATION_PREFLIGHT_QUERY, parseIdentifySystem } from './replication-preflight.js';

describe('parseIdentifySystem', () => {
  it("reads the system identifier (as text: it is beyond a JS number's exact range) and the timeline", () => {
    expect(parseIdentifySystem('7443612288366157854|1|0/3000148|\n')).toEqual({
      systemIdentifier: '7443612288366157854',
      timeline: 1,
    });
    expect(parseIdentifySystem('\n7443612288366157854|3|1A/FF000060|ledger\n')?.timeline).toBe(3);
  });

  it('is null for anything else', () => {
    expect(parseIdentifySystem('')).toBeNull();
    expect(parseIdentifySystem('systemid|timeline|xlogpos|dbname')).toBeNull();
  });
});

describe('the statements sent to production', () => {
  it('are one read-only query and one replication command', () => {
    expect(REPLICATION_PREFLIGHT_QUERY).toMatch(/^select /);
    expect(REPLICATION_PREFLIGHT_QUERY).not.toMatch(/;/);
    expect(IDENTIFY_SYSTEM_COMMAND).toBe('IDENTIFY_SYSTEM');
  });
});
