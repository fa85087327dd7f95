// The rehearsal config (one YAML file, validated with zod). Paths are relative to the config
// file's folder. Secrets are only ever referenced (an environment variable, or a file of mode
// 0600), never written into the config.
import { z } from 'zod';
import { SqlPolicyRules } from './sql-policy.js';
import { LocksConfig } from './locks-config.js';
import { LintConfig } from './lint-schema.js';
import { CopyMode, DEFAULT_PHYSICAL_COPY, PhysicalCopyConfig } from './copy-config.js';

const Sha40 = z
  .string()
  .regex(/^[0-9a-f]{40}$/, 'a full 40-hex commit sha (a branch or tag name is refused: it can move)');
const ExactName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,58}$/,
    'an exact container name: 1-59 of [a-zA-Z0-9_.-], starting with a letter or digit',
  );
export const RoleName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case role name');
const Verb = z.string().regex(/^[A-Z]+$/, 'an upper-case SQL verb such as DELETE');

/** A DSN that carries a password, e.g. postgres://u:pw@host/db or password=... */
export function dsnHasPassword(dsn: string): boolean {
  if (/(^|\s)password\s*=/i.test(dsn)) return true;
  try {
    return new URL(dsn).password !== '';
  } catch {
    return false;
  }
}

/** Issues for literal secrets anywhere in a parsed config: a password-like key, or a DSN that carries a password. */
export function literalSecretIssues(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  if (typeof value === 'string') {
    return dsnHasPassword(value)
      ? [
          {
            path,
            message:
              'a DSN carrying a password is refused in the config: reference it with production.dsn_env or production.dsn_file (mode 0600)',
          },
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => literalSecretIssues(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      /pass(word)?|passwd|secret/i.test(k) && v !== null && v !== ''
        ? [
            {
              path: [...path, k],
              message:
                "a literal password is refused in the config: the dry-run roles get generated passwords, and production's is referenced by dsn_env or dsn_file",
            },
          ]
        : literalSecretIssues(v, [...path, k]),
    );
  }
  return [];
}

export const ProductionConfig = z
  .strictObject({
    /** Environment variable holding production's DSN (the password included). */
    dsn_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** File of mode 0600 holding production's DSN. */
    dsn_file: z.string().min(1).optional(),
    /** Production runs in this container of the local engine: its id and StartedAt are evidence too. */
    container: ExactName.optional(),
    dump_format: z.enum(['plain', 'custom', 'directory']).default('plain'),
    /** pg_dump's `--lock-wait-timeout`: G2 gives up (INCONCLUSIVE) instead of queueing behind a DDL lock. */
    lock_wait_timeout_ms: z.number().int().min(1).max(3_600_000).default(5000),
    /** How G2 copies production: `logical` (pg_dump; the default) or `physical` (pg_basebackup, the whole cluster). */
    copy: CopyMode.default('logical'),
    /** The physical copy's checkpoint, rate limit and manifest checksums. */
    physical: PhysicalCopyConfig.default(DEFAULT_PHYSICAL_COPY),
  })
  .refine((p) => (p.dsn_env === undefined) !== (p.dsn_file === undefined), {
    message: 'give exactly one of dsn_env and dsn_file',
  });

export const EnvironmentConfig = z.strictObject({
  /** Exact name of the dry-run container; its network is NAME-net. Refused if either exists. */
  name: ExactName,
  /** PostgreSQL image; default: the local image scripts/setup builds. */
  image: z.string().min(1).optional(),
  /** Throwaway-server settings for a fast restore (fsync off, minimal WAL, ...); recorded in the report. */
  fast_restore: z.boolean().default(true),
  /** pgaudit's session audit of the system's roles (SQL inside functions, DO blocks, triggers): auto = on for the local image, which has pgaudit. */
  session_audit: z.enum(['auto', 'on', 'off']).default('auto'),
  readiness: z
    .strictObject({
      consecutive: z.number().int().min(1).max(100).default(3),
      interval_ms: z.number().int().min(10).max(60_000).default(200),
      timeout_ms: z.number().int().min(1000).max(3_600_000).default(90_000),
    })
    .default({ consecutive: 3, interval_ms: 200, timeout_ms: 90_000 }),
});

export const ArtefactsConfig = z.strictObject({
  /** The roles SQL (a logical copy needs it; a physical copy brings production's roles). */
  roles: z.string().min(1).optional(),
  grants: z.string().min(1),
  grant_matrix: z.string().min(1),
  scenarios: z.string().min(1),
  watched_tables: z.string().min(1),
});

export const SutConfig = z.strictObject({
  /** The system under test's git checkout. */
  path: z.string().min(1),
  accepted_commit: Sha40,
  /** Base of the change under review, for the hardcode scan. */
  base_commit: Sha40.optional(),
  /** Environment variable through which each step receives its role's DSN. */
  dsn_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
    .default('DATABASE_URL'),
  /** How its commands run: `host` (a process on this machine) or `container` (ephemeral containers on the run's internal network, the checkout read-only). */
  runner: z.enum(['host', 'container']).default('host'),
  /** The container runner: its image (default: the local runner image), and an install step run in an install-phase container only. */
  container: z
    .strictObject({
      image: z.string().min(1).optional(),
      install: z.array(z.string().min(1)).default([]),
      install_output: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/, 'a folder name at the top of the checkout')
        .default('node_modules'),
      install_timeout_ms: z.number().int().min(1000).max(3_600_000).default(600_000),
    })
    .optional(),
  /** The hardcode scan of base_commit..accepted_commit: extra patterns, and lines to allow. */
  hardcode: z
    .strictObject({
      patterns: z.array(z.strictObject({ name: z.string().min(1), regex: z.string().min(1) })).default([]),
      allow: z.array(z.string().min(1)).default([]),
    })
    .default({ patterns: [], allow: [] }),
});

export const DEFAULT_FORBIDDEN_VERBS = [
  'DELETE',
  'TRUNCATE',
  'DROP',
  'ALTER',
  'GRANT',
  'REVOKE',
  'CREATE',
  'COPY',
] as const;

/** What one copy mode needs or refuses of the rest of the config. */
function copyModeIssues(
  c: { production: { copy: CopyMode }; artefacts: { roles?: string | undefined }; cache: boolean },
  ctx: z.RefinementCtx,
): void {
  if (c.production.copy === 'logical' && c.artefacts.roles === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['artefacts', 'roles'],
      message:
        "a logical copy needs the roles SQL (artefacts.roles); only `production.copy: physical` brings production's roles",
    });
  if (c.production.copy === 'physical' && c.cache)
    ctx.addIssue({
      code: 'custom',
      path: ['cache'],
      message: 'a physical copy is not cached: set `cache: false`, or `production.copy: logical`',
    });
}

export const RehearsalConfig = z
  .strictObject({
    /** The rehearsal's title in the report. */
    name: z.string().min(1).max(200),
    production: ProductionConfig,
    /** Container names of environments that must stay untouched (checked before and after). */
    protected_envs: z.array(ExactName).default([]),
    environment: EnvironmentConfig,
    artefacts: ArtefactsConfig,
    /** SQL verbs the system under test must not run; a scenario may override. */
    forbidden_verbs: z.array(Verb).default([...DEFAULT_FORBIDDEN_VERBS]),
    /** Rules that allow or forbid statements by class, kind, schema and table, over forbidden_verbs; a scenario may replace each list. */
    sql_policy: SqlPolicyRules.default({ allow: [], forbid: [] }),
    /** What a step may lock before its scenario fails (none by default: the lock evidence is reported); a scenario may replace each key. */
    locks: LocksConfig.default({}),
    /** squawk's lint of the DDL that ran and of the SQL files the change adds: report (default), fail (an artefact failure of G6), off. */
    lint: LintConfig.default({ mode: 'report', exclude: [], assume_in_transaction: false }),
    /** Roles of the dry-run database that get a per-run password (all roles of the grant matrix when omitted). */
    roles: z.array(RoleName).optional(),
    sut: SutConfig,
    /** Keep the dump after the run (else it is shredded at teardown). */
    keep_backup: z.boolean().default(false),
    /** Keep the restored server as a snapshot keyed by the dump, roles, grants and image, and start from it when they match (it holds production's data). */
    cache: z.boolean().default(false),
  })
  .superRefine(copyModeIssues);
export type RehearsalConfig = z.infer<typeof RehearsalConfig>;

/** pins.yaml beside the config: sha256 of every artefact under review, by path relative to the config's folder. */
export const PinsFile = z.strictObject({
  artefacts: z.record(z.string().min(1), z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex')),
});
export type PinsFile = z.infer<typeof PinsFile>;

/** The JSON Schema of the config, shipped with the package (schema/config.schema.json). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(RehearsalConfig, { target: 'draft-2020-12', io: 'input' });
}
