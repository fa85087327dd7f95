import { describe, expect, it } from 'vitest';
import { absentLibraries, libraryCandidates } from './copy-libraries.js';

const LIB = '/usr/lib/postgresql/15/lib';

describe('libraryCandidates', () => {
  it('reads $libdir as the library folder and tries the name, then with .so', () => {
    expect(libraryCandidates('$libdir/pgcrypto', LIB)).toEqual([`${LIB}/pgcrypto`, `${LIB}/pgcrypto.so`]);
  });

  it('looks for a bare name in the library folder, and keeps an absolute path and a given .so', () => {
    expect(libraryCandidates('plpgsql', LIB)).toEqual([`${LIB}/plpgsql`, `${LIB}/plpgsql.so`]);
    expect(libraryCandidates('/opt/ext/lib/vector.so', LIB)).toEqual(['/opt/ext/lib/vector.so']);
  });
});

describe('absentLibraries', () => {
  const libs = [
    { library: '$libdir/pgcrypto', extensions: ['pgcrypto'], databases: ['shop'] },
    { library: '$libdir/plpgsql', extensions: ['plpgsql'], databases: ['ledger', 'shop'] },
  ];

  it('is empty when a candidate of each is present', () => {
    expect(absentLibraries(libs, LIB, new Set([`${LIB}/pgcrypto.so`, `${LIB}/plpgsql.so`]))).toEqual([]);
  });

  it('names each library none of whose candidates is present', () => {
    expect(absentLibraries(libs, LIB, new Set([`${LIB}/plpgsql.so`]))).toEqual([libs[0]]);
  });
});
