import { describe, expect, it } from 'vitest';
import { parseControlDataSysid } from './container-exec.js';

describe('parseControlDataSysid', () => {
  it('reads the system identifier from pg_controldata output', () => {
    expect(
      parseControlDataSysid(
        'pg_control version number:            1300\nDatabase system identifier:           7712164046331437088\n',
      ),
    ).toBe('7712164046331437088');
    expect(parseControlDataSysid('sh: pg_controldata: not found')).toBeNull();
  });
});
