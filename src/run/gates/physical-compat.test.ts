import { describe, expect, it } from 'vitest';
import type { DatabaseFacts } from '../../pg/index.js';
import {
  architectureFault,
  collationDrift,
  collationWarning,
  extensionList,
  extensionsFault,
  librariesFault,
  missingExtensions,
  productionArchitecture,
  replicationIdentityFault,
} from './physical-compat.js';

const db = (name: string, over: Partial<DatabaseFacts> = {}): DatabaseFacts => ({
  name,
  provider: 'libc',
  locale: 'en_US.UTF-8',
  collate: 'en_US.UTF-8',
  ctype: 'en_US.UTF-8',
  recordedVersion: '2.36',
  actualVersion: '2.36',
  extensions: [{ name: 'plpgsql', version: '1.0' }],
  ...over,
});

describe('replicationIdentityFault', () => {
  it('passes when the replication connection reaches the server whose sysid G1 read', () => {
    expect(replicationIdentityFault('7312345678901234567', '7312345678901234567', 'u@h:5432')).toBeNull();
  });

  it('stops INCONCLUSIVE environment naming both identifiers, the likely cause and what to do when they differ', () => {
    const f = replicationIdentityFault('7312345678901234567', '7399999999999999999', 'cutter@db:6432');
    expect(f?.classification).toBe('environment');
    expect(f?.message).toContain('cutter@db:6432');
    expect(f?.message).toContain('system identifier 7399999999999999999');
    expect(f?.message).toContain('the one with 7312345678901234567');
    expect(f?.message).toMatch(/pooler/);
    expect(f?.message).toMatch(/what to do: point `production` at the server itself.*`production\.copy: logical`/);
  });
});

describe('productionArchitecture', () => {
  it("names version()'s CPU as the engine names image architectures", () => {
    const v = (triple: string) => `PostgreSQL 15.18 (Debian 15.18-1.pgdg120+1) on ${triple}, compiled by gcc, 64-bit`;
    expect(productionArchitecture(v('x86_64-pc-linux-gnu'))).toBe('amd64');
    expect(productionArchitecture(v('aarch64-unknown-linux-gnu'))).toBe('arm64');
    expect(productionArchitecture(v('i686-pc-linux-gnu'))).toBe('386');
    expect(productionArchitecture(v('armv7l-unknown-linux-gnueabihf'))).toBe('arm');
    expect(productionArchitecture(v('powerpc64le-unknown-linux-gnu'))).toBe('ppc64le');
    expect(productionArchitecture(v('s390x-ibm-linux-gnu'))).toBe('s390x');
    expect(productionArchitecture(v('riscv64-unknown-linux-gnu'))).toBe('riscv64');
  });

  it('is null when version() names no target triple (a Windows build)', () => {
    expect(productionArchitecture('PostgreSQL 15.1, compiled by Visual C++ build 1914, 64-bit')).toBeNull();
  });
});

describe('architectureFault', () => {
  const version = 'PostgreSQL 15.18 on aarch64-unknown-linux-gnu, compiled by gcc';

  it('passes on the same architecture, and when either side is unknown', () => {
    expect(architectureFault('amd64', 'amd64', 'img:15', version)).toBeNull();
    expect(architectureFault(null, 'amd64', 'img:15', version)).toBeNull();
    expect(architectureFault('arm64', null, 'img:15', version)).toBeNull();
  });

  it('stops INCONCLUSIVE environment naming both architectures and an image of the right one to set', () => {
    const f = architectureFault('arm64', 'amd64', 'pg-rehearse/postgres:15-abc', version);
    expect(f?.classification).toBe('environment');
    expect(f?.message).toContain('production runs on arm64');
    expect(f?.message).toContain(version);
    expect(f?.message).toContain('pg-rehearse/postgres:15-abc is amd64');
    expect(f?.message).toMatch(/what to do: set `environment\.image` to a arm64 PostgreSQL image/);
  });
});

describe('missingExtensions and extensionsFault', () => {
  const available = new Map([
    ['plpgsql', new Set(['1.0'])],
    ['pgcrypto', new Set(['1.3'])],
  ]);

  it('finds nothing missing when the image has every installed version', () => {
    const dbs = [db('a', { extensions: [{ name: 'pgcrypto', version: '1.3' }] }), db('b')];
    expect(missingExtensions(dbs, available)).toEqual([]);
    expect(extensionsFault([], 'img')).toBeNull();
  });

  it('names each missing extension once, with its version, the databases it is installed in, and whether its control file is absent', () => {
    const dbs = [
      db('a', { extensions: [{ name: 'postgis', version: '3.4.2' }] }),
      db('b', {
        extensions: [
          { name: 'postgis', version: '3.4.2' },
          { name: 'pgcrypto', version: '1.2' },
        ],
      }),
    ];
    const missing = missingExtensions(dbs, available);
    expect(missing).toEqual([
      { name: 'pgcrypto', version: '1.2', databases: ['b'], absent: false },
      { name: 'postgis', version: '3.4.2', databases: ['a', 'b'], absent: true },
    ]);
    const f = extensionsFault(missing, 'pg-rehearse/postgres:15-abc');
    expect(f?.classification).toBe('environment');
    expect(f?.message).toContain('`pgcrypto` 1.2 (not this version; installed in b)');
    expect(f?.message).toContain('`postgis` 3.4.2 (no control file; installed in a, b)');
    expect(f?.message).toContain('pg-rehearse/postgres:15-abc');
    expect(f?.message).toMatch(
      /what to do: set `environment\.image` to an image .* with pgcrypto 1\.2, postgis 3\.4\.2 installed/,
    );
  });

  it('lists the cluster extensions once each for the evidence', () => {
    const dbs = [db('a', { extensions: [{ name: 'pgcrypto', version: '1.3' }] }), db('b'), db('c')];
    expect(extensionList(dbs)).toEqual(['pgcrypto 1.3', 'plpgsql 1.0']);
  });
});

describe('collationDrift and collationWarning', () => {
  it('finds no drift when the copy gives the recorded versions, or production recorded none', () => {
    const dbs = [db('a'), db('c', { collate: 'C', ctype: 'C', recordedVersion: null, actualVersion: null })];
    const copy = new Map<string, string | null>([
      ['a', '2.36'],
      ['c', null],
    ]);
    expect(collationDrift(dbs, copy)).toEqual([]);
    expect(collationWarning([])).toBeNull();
  });

  it("warns, naming each database with production's version and the copy's, what it means and what to do", () => {
    const dbs = [
      db('a', { recordedVersion: '2.31' }),
      db('b'),
      db('i', { provider: 'icu', locale: 'und-x-icu', recordedVersion: '153.14' }),
    ];
    const copy = new Map<string, string | null>([
      ['a', '2.36'],
      ['b', '2.36'],
      ['i', null],
    ]);
    const drift = collationDrift(dbs, copy);
    expect(drift).toEqual([
      {
        database: 'a',
        provider: 'libc',
        locale: 'en_US.UTF-8',
        collate: 'en_US.UTF-8',
        ctype: 'en_US.UTF-8',
        production_version: '2.31',
        copy_version: '2.36',
      },
      {
        database: 'i',
        provider: 'icu',
        locale: 'und-x-icu',
        collate: 'en_US.UTF-8',
        ctype: 'en_US.UTF-8',
        production_version: '153.14',
        copy_version: null,
      },
    ]);
    const w = collationWarning(drift);
    expect(w?.kind).toBe('collation_version');
    expect(w?.databases).toEqual(drift);
    expect(w?.message).toContain('a (libc en_US.UTF-8: production 2.31, copy 2.36)');
    expect(w?.message).toContain('i (icu und-x-icu: production 153.14, copy none)');
    expect(w?.message).toMatch(/glibc or ICU/);
    expect(w?.message).toMatch(/indexes on text columns may be corrupt/);
    expect(w?.message).toMatch(/REINDEX/);
  });

  it('says glibc alone when every drifting database uses libc', () => {
    const w = collationWarning(collationDrift([db('a', { recordedVersion: '2.31' })], new Map([['a', '2.36']])));
    expect(w?.message).toMatch(/C library \(glibc\)/);
  });
});

describe('librariesFault', () => {
  it('is null when nothing is missing', () => {
    expect(librariesFault([], 'img')).toBeNull();
  });

  it('is INCONCLUSIVE environment naming each library, its extension and databases, and what to do', () => {
    const f = librariesFault(
      [
        { library: '$libdir/pgcrypto_old', extensions: ['pgcrypto'], databases: ['shop'] },
        { library: '$libdir/local_funcs', extensions: [], databases: ['ledger'] },
      ],
      'pg-rehearse/postgres:15-x',
    );
    expect(f?.classification).toBe('environment');
    expect(f?.message).toContain(
      'lacks: `$libdir/pgcrypto_old` (of pgcrypto; named in shop), `$libdir/local_funcs` (of no extension; named in ledger)',
    );
    expect(f?.message).toContain('set `environment.image` to an image');
  });
});
