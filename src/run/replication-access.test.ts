import { describe, expect, it } from 'vitest';
import { replicationAccess, replicationVerdict } from './replication-access.js';

const production = { user: 'cutter', host: '10.0.0.5', port: 5432 };
const keep = (text: string) => text;
const allowed = { ok: true as const, systemIdentifier: '7714503374991876128', timeline: 1 };
const noHba = {
  ok: false as const,
  error: 'FATAL: no pg_hba.conf entry for replication connection from host "10.0.0.9", user "cutter", no encryption',
};
const noRole = { ok: false as const, error: 'FATAL: must be superuser or replication role to start walsender' };

describe('replicationVerdict (G1)', () => {
  it('lets the copy start with the sysid the replication connection gave', () => {
    expect(replicationVerdict({ canReplicate: true, replication: allowed }, production, keep)).toEqual({
      ok: true,
      systemIdentifier: '7714503374991876128',
    });
  });

  it('names the missing attribute first, with the ALTER ROLE to run, even when the connection failed too', () => {
    expect(replicationVerdict({ canReplicate: false, replication: noHba }, production, keep)).toEqual({
      ok: false,
      refusal:
        "production's user cutter has neither REPLICATION nor SUPERUSER, which a physical copy needs; what to do: `ALTER ROLE cutter REPLICATION` on production, or `production.copy: logical`",
    });
  });

  it("names the pg_hba line to add, with the server's redacted words, when the role may replicate", () => {
    const v = replicationVerdict(
      { canReplicate: true, replication: { ok: false, error: 'FATAL: password s3cret refused' } },
      production,
      (t) => t.replace('s3cret', '[REDACTED]'),
    );
    expect(v).toEqual({
      ok: false,
      refusal:
        "production refuses a replication connection of cutter@10.0.0.5:5432: FATAL: password [REDACTED] refused; what to do: add a `host replication cutter <this machine's address> scram-sha-256` line to production's pg_hba.conf and reload it, or `production.copy: logical`",
    });
  });
});

describe('replicationAccess (doctor)', () => {
  it('finds both when the replication connection answered', () => {
    const a = replicationAccess({ canReplicate: true, replication: allowed }, production, keep);
    expect(a.attribute).toEqual({ ok: true, detail: "production's user cutter has REPLICATION or SUPERUSER" });
    expect(a.pgHba).toMatchObject({ ok: true, detail: expect.stringContaining('7714503374991876128') });
  });

  it('says only the attribute is missing when pg_hba let the connection in and the server refused the role', () => {
    const a = replicationAccess({ canReplicate: false, replication: noRole }, production, keep);
    expect(a.attribute).toMatchObject({
      ok: false,
      fix: '`ALTER ROLE cutter REPLICATION` on production, or `production.copy: logical`',
    });
    expect(a.pgHba).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /^pg_hba\.conf let a replication connection of cutter@10\.0\.0\.5:5432 in; .*walsender$/,
      ),
    });
  });

  it('says both are missing when the server found no pg_hba line for a role without the attribute', () => {
    const a = replicationAccess({ canReplicate: false, replication: noHba }, production, keep);
    expect(a.attribute.ok).toBe(false);
    expect(a.pgHba).toEqual({
      ok: false,
      problem: `production refuses a replication connection of cutter@10.0.0.5:5432: ${noHba.error}`,
      fix: "add a `host replication cutter <this machine's address> scram-sha-256` line to production's pg_hba.conf and reload it, or `production.copy: logical`",
    });
  });

  it("uses G1's words: the refusal is the first missing finding's problem and fix", () => {
    for (const replication of [noHba, noRole]) {
      for (const canReplicate of [true, false]) {
        const a = replicationAccess({ canReplicate, replication }, production, keep);
        const v = replicationVerdict({ canReplicate, replication }, production, keep);
        const first = [a.attribute, a.pgHba].find((f) => !f.ok);
        expect(first).toBeDefined();
        expect(v.ok).toBe(false);
        if (first && !first.ok && !v.ok) expect(v.refusal).toBe(`${first.problem}; what to do: ${first.fix}`);
      }
    }
  });
});
