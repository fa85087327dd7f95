// Production's side of the physical copy's compatibility preflight against a real server: every
// connectable database's collation facts and installed extensions, each read in its own read-only
// session and listed among the statements sent; a database the user may not connect to is named.
// Then the copy's side on the same image: what its extension folder and C library give, and the
// G4 decisions on them when production's catalog records a version the image does not have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterFacts,
  connect,
  copyImageSupport,
  copyLibraries,
  EXTENSIONS_QUERY,
  serverIdentity,
  setRolePasswords,
} from '../../pg/index.js';
import type { ClusterFacts, PgTarget } from '../../pg/index.js';
import { throwawayServer, type ThrowawayServer } from '../../test-support/throwaway-server.js';
import {
  collationDrift,
  collationWarning,
  extensionsFault,
  librariesFault,
  missingExtensions,
} from './physical-compat.js';

let throwaway: ThrowawayServer | null = null;
let server: PgTarget;
let versionNum: number;

async function exec(statements: string[], database = server.database): Promise<void> {
  const sql = connect({ ...server, database }, 'pg-rehearse test');
  try {
    for (const s of statements) await sql.unsafe(s);
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-compat', database: 'ledger' });
  server = throwaway.target;
  versionNum = (await serverIdentity(server)).serverVersionNum;
  await exec([
    'create database shop',
    "create database bytewise template template0 locale 'C'",
    "create database icudb template template0 locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'",
    'create database closed',
    'alter database closed allow_connections false',
    'create role compat_reader login nosuperuser',
    'revoke connect on database shop from public',
  ]);
  await exec(['create extension pgcrypto'], 'shop');
  await setRolePasswords(server, { compat_reader: 'reader-P@ss:w/rd' });
});

afterAll(async () => {
  await throwaway?.close();
});

describe("production's databases and extensions", () => {
  let facts: ClusterFacts;
  const sent: string[] = [];

  beforeAll(async () => {
    facts = await clusterFacts(server, versionNum, (s) => sent.push(...s));
  });

  it('reads every database that accepts connections, template1 included, never one that does not', () => {
    expect(facts.databases.map((d) => d.name)).toEqual([
      'bytewise',
      'icudb',
      'ledger',
      'postgres',
      'shop',
      'template1',
    ]);
    expect(facts.refused).toEqual([]);
  });

  it("gives each database's installed extensions with their versions", () => {
    const shop = facts.databases.find((d) => d.name === 'shop')!;
    expect(shop.extensions.map((e) => e.name)).toEqual(['pgcrypto', 'plpgsql']);
    expect(shop.extensions.find((e) => e.name === 'pgcrypto')!.version).toMatch(/^\d+\.\d+$/);
    expect(facts.databases.find((d) => d.name === 'ledger')!.extensions).toEqual([{ name: 'plpgsql', version: '1.0' }]);
  });

  it("gives the collation facts: the provider, the locale, ICU's recorded version equal to the actual one, none for C", () => {
    const icu = facts.databases.find((d) => d.name === 'icudb')!;
    expect(icu).toMatchObject({ provider: 'icu', locale: 'en-US', collate: 'C.UTF-8' });
    expect(icu.recordedVersion).toMatch(/^\d+\.\d+/);
    expect(icu.actualVersion).toBe(icu.recordedVersion);
    // PostgreSQL 15 records no version for C, POSIX and C.* locales (the image's initdb uses C.UTF-8).
    const ledger = facts.databases.find((d) => d.name === 'ledger')!;
    expect(ledger).toMatchObject({ provider: 'libc', collate: 'C.UTF-8', ctype: 'C.UTF-8', recordedVersion: null });
    const bytewise = facts.databases.find((d) => d.name === 'bytewise')!;
    expect(bytewise).toMatchObject({ provider: 'libc', collate: 'C', recordedVersion: null, actualVersion: null });
  });

  it('lists every statement it sent, each in a read-only transaction, one extension read per database', () => {
    expect(sent.slice(0, 3)).toEqual([
      'BEGIN READ ONLY',
      expect.stringMatching(/from pg_catalog\.pg_database where datallowconn/),
      'COMMIT',
    ]);
    const reads = sent.filter((s) => s.startsWith(EXTENSIONS_QUERY));
    expect(reads).toEqual(facts.databases.map((d) => `${EXTENSIONS_QUERY} (in database ${d.name})`));
    expect(sent.filter((s) => s === 'BEGIN READ ONLY')).toHaveLength(1 + facts.databases.length);
  });

  it('names a database the user may not connect to, with the server words, and still reads the others', async () => {
    const reader = { ...server, user: 'compat_reader', password: 'reader-P@ss:w/rd' };
    const limited = await clusterFacts(reader, versionNum, () => {});
    expect(limited.refused.map((r) => r.name)).toEqual(['shop']);
    expect(limited.refused[0]!.error).toMatch(/permission denied for database "shop"/);
    expect(limited.databases.map((d) => d.name)).toEqual(['bytewise', 'icudb', 'ledger', 'postgres', 'template1']);
  });
});

describe("the copy's side: what the image gives", () => {
  it('has the files of every extension installed and the collation versions recorded: nothing to fault or warn', async () => {
    const facts = await clusterFacts(server, versionNum, () => {});
    const support = await copyImageSupport(server, versionNum);
    expect(support.extensions.get('plpgsql')).toContain('1.0');
    expect(support.extensions.has('pgcrypto')).toBe(true);
    expect(support.collationVersions.get('ledger')).toBe(
      facts.databases.find((d) => d.name === 'ledger')!.actualVersion,
    );
    expect(missingExtensions(facts.databases, support.extensions)).toEqual([]);
    expect(collationWarning(collationDrift(facts.databases, support.collationVersions))).toBeNull();
  });

  it("finds the file of every shared library production's C functions name, then names one the image lacks", async () => {
    const databases = ['ledger', 'shop'];
    const found = await copyLibraries(server, databases);
    expect(found.missing).toEqual([]);
    expect(found.libraries).toContainEqual({
      library: '$libdir/pgcrypto',
      extensions: ['pgcrypto'],
      databases: ['shop'],
    });
    expect(found.libraries.map((l) => l.library)).toContain('$libdir/plpgsql');
    // The catalog as a production whose pgcrypto was built into a library of another name would have it.
    await exec(["update pg_proc set probin = '$libdir/pgcrypto_custom' where probin = '$libdir/pgcrypto'"], 'shop');
    try {
      const after = await copyLibraries(server, databases);
      expect(after.missing).toEqual([
        { library: '$libdir/pgcrypto_custom', extensions: ['pgcrypto'], databases: ['shop'] },
      ]);
      expect(librariesFault(after.missing, 'img')?.message).toContain(
        '`$libdir/pgcrypto_custom` (of pgcrypto; named in shop)',
      );
    } finally {
      await exec(["update pg_proc set probin = '$libdir/pgcrypto' where probin = '$libdir/pgcrypto_custom'"], 'shop');
    }
  });

  it("faults an installed version the image lacks and warns of a recorded collation version the image's ICU does not give", async () => {
    // The catalog as a production with an older extension and an older glibc would have it.
    await exec(["update pg_extension set extversion = '0.9' where extname = 'pgcrypto'"], 'shop');
    await exec(["update pg_database set datcollversion = '72.1' where datname = 'icudb'"]);
    const facts = await clusterFacts(server, versionNum, () => {});
    const support = await copyImageSupport(server, versionNum);
    const missing = missingExtensions(facts.databases, support.extensions);
    expect(missing).toEqual([{ name: 'pgcrypto', version: '0.9', databases: ['shop'], absent: false }]);
    expect(extensionsFault(missing, 'img')?.message).toContain('`pgcrypto` 0.9 (not this version; installed in shop)');
    const warning = collationWarning(collationDrift(facts.databases, support.collationVersions));
    expect(warning?.databases.map((d) => [d.database, d.production_version, d.copy_version])).toEqual([
      ['icudb', '72.1', support.collationVersions.get('icudb')],
    ]);
    const copyVersion = support.collationVersions.get('icudb');
    expect(copyVersion).toMatch(/^\d+\.\d+/);
    expect(warning?.message).toContain(`icudb (icu en-US: production 72.1, copy ${copyVersion})`);
  });
});
