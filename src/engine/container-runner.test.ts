import { describe, expect, it } from 'vitest';
import { DRY_RUN_DB_ALIAS } from './labels.js';
import { inContainer, readOnlyWriteNote } from './container-runner.js';

describe('inContainer', () => {
  it('names the dry-run server by its alias on the internal network and its own port, nothing else changed', () => {
    const target = { host: '127.0.0.1', port: 33122, user: 'cutter_app', password: 'p@ss', database: 'ledger' };
    expect(inContainer(target)).toEqual({ ...target, host: DRY_RUN_DB_ALIAS, port: 5432 });
  });
});

describe('readOnlyWriteNote', () => {
  it.each([
    "Error: EROFS: read-only file system, open 'dist/cli.js'",
    "OSError: [Errno 30] Read-only file system: '/sut/out.csv'",
    "touch: cannot touch 'x': Read-only file system",
  ])('says why a write was refused: %s', (line) => {
    const note = readOnlyWriteNote({ stderr: `something\n${line}\n    at x\n` });
    expect(note).toContain(line);
    expect(note).toMatch(/mounted read-only/);
  });

  it('says nothing when stderr shows no such write', () => {
    expect(readOnlyWriteNote({ stderr: 'PermissionDenied: permission denied for table entry\n' })).toBeNull();
  });
});
