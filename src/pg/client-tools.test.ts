import { describe, expect, it } from 'vitest';
import { parseToolVersion } from './client-tools.js';

describe('parseToolVersion', () => {
  it("reads major and minor from the tools' --version output", () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)')).toEqual({
      version: '15.14',
      major: 15,
    });
    expect(parseToolVersion('psql (PostgreSQL) 17.2')).toEqual({ version: '17.2', major: 17 });
    expect(parseToolVersion('something else')).toBeNull();
  });
});
