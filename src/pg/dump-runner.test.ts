import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors.js';
import { chooseDumpRunner, parseServerMajor } from './dump-runner.js';

describe('chooseDumpRunner', () => {
  it("uses the host pg_dump when its major equals the server's", () => {
    expect(chooseDumpRunner({ hostClientMajor: 15, serverMajor: 15, productionIsContainer: true })).toMatchObject({
      where: 'host',
    });
  });

  it('uses the host pg_dump when it is newer than the server (pg_dump reads older servers)', () => {
    expect(chooseDumpRunner({ hostClientMajor: 17, serverMajor: 13, productionIsContainer: false })).toMatchObject({
      where: 'host',
    });
  });

  it("runs inside production's own container when the host pg_dump is older and production is a container", () => {
    expect(chooseDumpRunner({ hostClientMajor: 15, serverMajor: 17, productionIsContainer: true })).toMatchObject({
      where: 'container-exec',
    });
  });

  it("runs an image of the server's major when the host pg_dump is older and production is not a container", () => {
    const runner = chooseDumpRunner({ hostClientMajor: 15, serverMajor: 16, productionIsContainer: false });
    expect(runner).toMatchObject({ where: 'container-image', major: 16 });
    expect(runner.reason).toContain('older');
  });

  it('treats a missing host pg_dump as too old, never as a crash', () => {
    expect(chooseDumpRunner({ hostClientMajor: null, serverMajor: 15, productionIsContainer: true })).toMatchObject({
      where: 'container-exec',
    });
    expect(chooseDumpRunner({ hostClientMajor: null, serverMajor: 15, productionIsContainer: false })).toMatchObject({
      where: 'container-image',
      major: 15,
    });
  });
});

describe('parseServerMajor', () => {
  it('reads the major of server_version_num', () => {
    expect(parseServerMajor(150020)).toBe(15);
    expect(parseServerMajor('170002')).toBe(17);
    expect(parseServerMajor(100000)).toBe(10);
    expect(parseServerMajor(90624)).toBe(9);
  });

  it('refuses what is not a server_version_num, naming the value', () => {
    expect(() => parseServerMajor('15.2')).toThrow(ToolError);
    expect(() => parseServerMajor(15)).toThrow(/got `15`/);
  });
});
