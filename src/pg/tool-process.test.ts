import { describe, expect, it } from 'vitest';
import { StderrTail } from './tool-process.js';

describe('StderrTail', () => {
  it('keeps the last lines and the first error line, whatever the chunking', () => {
    const tail = new StderrTail(3);
    const text = 'one\npsql:f.sql:2: ERROR:  relation "x" does not exist\nthree\nfour\nfi';
    for (const c of text.match(/.{1,4}/gs)!) tail.push(c);
    tail.push('ve\nsix');
    expect(tail.finish()).toEqual(['four', 'five', 'six']);
    expect(tail.firstError).toBe('psql:f.sql:2: ERROR:  relation "x" does not exist');
  });

  it('keeps the libpq connection failure as an error line', () => {
    const tail = new StderrTail();
    tail.push('pg_dump: error: connection to server at "127.0.0.1", port 1 failed: Connection refused\n');
    expect(tail.firstError).toMatch(/^pg_dump: error: connection/);
  });
});
